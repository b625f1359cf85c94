import { failure, subscriptions, type SliceFactory } from './slice';

/** One tool run shown in the Output tab. */
export interface OutputRun {
  runId: string;
  label: string;
  command: string[];
  text: string;
  exit?: { code: number | null; signal: string | null; durationMs: number; error?: string };
}

/** Tool runs (dtc, microkit, …) and their output, for the Output tab. */
export interface RunsState {
  runs: OutputRun[];
}

export interface RunsActions {
  /** Start a tool the doctor knows; its output streams into the Output tab. Returns the run id, or undefined. */
  runTool(tool: string, args: string[], label?: string): Promise<string | undefined>;
  cancelRun(runId: string): Promise<void>;
}

export const createRunsSlice: SliceFactory<RunsState, RunsActions> = (client, set) => {
  const subs = subscriptions();
  subs.add(client.on('process.output', (e) => set((s) => ({ runs: s.runs.map((r) => (r.runId === e.runId ? { ...r, text: r.text + e.data } : r)) }))));
  subs.add(client.on('process.exit', (e) => set((s) => ({ runs: s.runs.map((r) => (r.runId === e.runId ? { ...r, exit: e } : r)) }))));
  return {
    state: { runs: [] },
    actions: {
      async runTool(tool: string, args: string[], label?: string) {
        set({ panel: 'output' });
        try {
          const { runId, command } = await client.call('process.start', { tool, args });
          set((s) => ({ runs: [...s.runs, { runId, label: label ?? command.join(' '), command, text: '' }] }));
          return runId;
        } catch (err) {
          set(failure(err));
          return undefined;
        }
      },
      async cancelRun(runId: string) {
        await client.call('process.cancel', { runId }).catch((err: unknown) => set(failure(err)));
      },
    },
    dispose: subs.dispose,
  };
};
