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
  /**
   * Run a tool the doctor knows with its version argument (the host composes the command); its output streams into the
   * Output tab. Returns the run id, or undefined.
   */
  runToolVersion(tool: string): Promise<string | undefined>;
  cancelRun(runId: string): Promise<void>;
}

export const createRunsSlice: SliceFactory<RunsState, RunsActions> = (client, set) => {
  const subs = subscriptions();
  subs.add(client.on('process.output', (e) => set((s) => ({ runs: s.runs.map((r) => (r.runId === e.runId ? { ...r, text: r.text + e.data } : r)) }))));
  subs.add(client.on('process.exit', (e) => set((s) => ({ runs: s.runs.map((r) => (r.runId === e.runId ? { ...r, exit: e } : r)) }))));
  return {
    state: { runs: [] },
    actions: {
      async runToolVersion(tool: string) {
        set({ panel: 'output' });
        try {
          const { runId, command } = await client.call('tool.version', { tool });
          set((s) => ({ runs: [...s.runs, { runId, label: command.join(' '), command, text: '' }] }));
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
