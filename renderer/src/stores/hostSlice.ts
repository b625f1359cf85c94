import type { HostInfo, RecentProject, ToolStatus } from '../../../shared/api/contract';
import type { BoardPack } from '../../../shared/model/board';
import type { TemplateInfo } from '../../../shared/model/templates';
import { afterStartup } from '../afterStartup';
import { failure, type SliceFactory } from './slice';

/**
 * The link to a browser-mode host when it is down: `reconnecting` with back-off, or `refused` (what answers on the
 * port does not hold this tab's key). The transport reports it; the bar shows it.
 */
export type HostLink = { state: 'connected' } | { state: 'reconnecting'; attempt: number; retryInMs: number } | { state: 'refused'; reason: string; retryInMs: number };

/** What the host is and offers: its info, the tools the doctor found, board packs, templates, recent projects. */
export interface HostState {
  host?: HostInfo;
  connected: boolean;
  /** While disconnected: what the transport is doing about it. */
  link?: Exclude<HostLink, { state: 'connected' }>;
  doctor?: ToolStatus[];
  boards: BoardPack[];
  /** Starting points for New Project (resources/templates). */
  templates: TemplateInfo[];
  recent: RecentProject[];
}

export interface HostActions {
  /** Ask the host what it is and offers; open the project it was started with, else the one open last. */
  init(): Promise<void>;
  refreshDoctor(): Promise<void>;
  refreshRecent(): Promise<void>;
  /** The transport lost or regained the host; on regaining it the tab hands its work to the (maybe restarted) host. */
  linkChanged(link: HostLink): void;
}

export const createHostSlice: SliceFactory<HostState, HostActions> = (client, set, get, actions) => ({
  state: { host: undefined, connected: true, link: undefined, doctor: undefined, boards: [], templates: [], recent: [] },
  actions: {
    async init() {
      try {
        const [host, recent, boards] = await Promise.all([client.call('host.info', {}), client.call('project.recent', {}), client.call('boards.list', {})]);
        set({ host, recent: recent.projects, boards: boards.boards });
        // Templates are an offer, not a requirement: without them New Project still makes a one-PD project.
        void client.call('templates.list', {}).then(({ templates }) => set({ templates }), () => undefined);
        // The project named on the command line, else the one open last (restricted again if it is not trusted).
        const start = host.initialProject ?? host.lastProject;
        if (start) await actions.openProject(start, { reopen: !host.initialProject });
      } catch (err) {
        set(failure(err));
      }
      // The toolchain check spawns every tool: after the first screen, when the page is idle.
      afterStartup(() => void actions.refreshDoctor());
    },
    async refreshDoctor() {
      try {
        set({ doctor: (await client.call('doctor.check', {})).tools });
      } catch (err) {
        set(failure(err));
      }
    },
    async refreshRecent() {
      try {
        set({ recent: (await client.call('project.recent', {})).projects });
      } catch {
        // The recent list is a convenience; failing to read it is not worth a notice.
      }
    },
    linkChanged(link) {
      if (link.state !== 'connected') {
        set({ connected: false, link });
        return;
      }
      const wasDown = !get().connected;
      set({ connected: true, link: undefined });
      if (wasDown) void actions.rejoinHost();
    },
  },
  dispose() {},
});
