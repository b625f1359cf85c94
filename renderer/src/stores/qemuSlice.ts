import { StudioError } from '../../../shared/api/errors';
import type { QemuOptions } from '../../../shared/qemu/command';
import { bootReportHtml } from '../../../shared/logs/report';
import type { PickedImage } from '../../../shared/api/contract';
import { silenceHints, silenceSeconds, type ImageFormat } from '../../../shared/qemu/silence';
import { failure, subscriptions, type SliceFactory } from './slice';
import { RESTRICTED_BUILD } from './buildSlice';

/** The QEMU session of the Terminal tab: its status, monitor transcript and what it boots. */
export interface QemuState {
  qemu?: { id: string; status: 'starting' | 'running' | 'paused' | 'exited'; command: string[]; exit?: string };
  monitorText: string;
  /** Why the last monitor command was not sent (not on the allow-list and not confirmed), shown under the input. */
  monitorRefusal?: string;
  /** What the Terminal tab boots (kept across views). */
  qemuTarget: { kind: 'image' | 'kernel'; file: string };
  /** Machine options as typed in the panel (QEMU's spelling; read by shared/qemu/optionsText.ts). */
  qemuOptionsText: string;
  /** Images the user picked anywhere on the machine (the host's list in the user's config). */
  pickedImages: PickedImage[];
  /** The booted machine printed nothing for `seconds`: what to check, most likely first. */
  qemuSilent?: { seconds: number; hints: string[] };
}

export interface QemuActions {
  /** Boot the project's image (or an ELF) on its board, with typed machine options; refused while a session runs. */
  startQemu(target: { image?: string; kernel?: string }, options?: QemuOptions): Promise<void>;
  controlQemu(action: 'pause' | 'resume' | 'reset' | 'stop'): Promise<void>;
  monitorQemu(command: string): Promise<void>;
  /** Keys typed in the console go to the guest's serial port. */
  sendToQemu(data: string): void;
  /** The boot as a standalone HTML page (timeline + console) in the project's reports/ folder. */
  exportBootReport(): Promise<string | undefined>;
  setQemuOptionsText(text: string): void;
  /** Ask the host for the picked images. */
  listImages(): Promise<void>;
  /** Pick an image in the host's file dialog (a browser host says how to add one from a terminal); returns its path. */
  pickImage(): Promise<string | undefined>;
}

export const createQemuSlice: SliceFactory<QemuState, QemuActions> = (client, set, get, actions) => {
  const fail = (err: unknown) => set(failure(err));
  /** A start is on its way: its output may arrive before qemu.start answers with the session's id. */
  let starting = false;
  /** Whether the session being watched for silence has printed anything, and the watch's timer. */
  let heard = false;
  /** The error notice a refused start showed (a file not picked, a missing image): a start that succeeds takes it away. */
  let startNotice: { kind: string; message: string } | undefined;
  let silenceTimer: ReturnType<typeof setTimeout> | undefined;
  const unwatch = () => {
    clearTimeout(silenceTimer);
    silenceTimer = undefined;
  };
  const subs = subscriptions();
  subs.add(() => unwatch());
  subs.add(
    client.on('qemu.output', (e) => {
      // Output can arrive before qemu.start has answered: keep every byte for the console and the timeline.
      actions.appendConsole(e.id, new TextEncoder().encode(e.data));
      if (e.id !== get().qemu?.id && !starting) return;
      if (!heard) {
        heard = true;
        unwatch();
        if (get().qemuSilent) set({ qemuSilent: undefined });
      }
      actions.feedTimeline(e.data);
    }),
  );
  subs.add(
    client.on('qemu.status', (e) => {
      const q = get().qemu;
      if (!q || q.id !== e.id) return;
      const exit = e.status === 'exited' ? (e.code ? `exited with status ${e.code}${e.stderr ? `: ${e.stderr}` : ''}` : e.signal ? `stopped (${e.signal})` : 'stopped') : undefined;
      if (e.status === 'exited') unwatch();
      set({ qemu: { ...q, status: e.status, ...(exit ? { exit } : {}) } });
    }),
  );
  /** After the board's N seconds with no byte from this session, say what to check. */
  const watchSilence = (id: string, kind: 'image' | 'kernel', format: ImageFormat | undefined, options: QemuOptions | undefined) => {
    const { project, boards } = get();
    const board = boards.find((b) => b.name === project?.studio.board);
    const seconds = silenceSeconds(board);
    silenceTimer = setTimeout(() => {
      silenceTimer = undefined;
      const q = get().qemu;
      if (heard || q?.id !== id || q.status === 'exited') return;
      const hints = board ? silenceHints({ board, kind, ...(format ? { format } : {}), ...(options ? { options } : {}), config: get().project?.studio.build.config }) : [`The board ${project?.studio.board} is not known here: check the image was built for the machine QEMU runs.`];
      set({ qemuSilent: { seconds, hints } });
    }, seconds * 1000);
  };
  return {
    state: { qemu: undefined, monitorText: '', monitorRefusal: undefined, qemuTarget: { kind: 'image', file: 'build/loader.img' }, qemuOptionsText: '', pickedImages: [], qemuSilent: undefined },
    actions: {
      async startQemu(target: { image?: string; kernel?: string }, options?: QemuOptions) {
        const project = get().project;
        if (!project) return fail(new StudioError('no-project', 'open a project first: QEMU boots its build output'));
        if (starting || (get().qemu && get().qemu!.status !== 'exited')) return fail(new StudioError('conflict', 'a QEMU is already running in this tab: stop it first'));
        if (get().trusted === false) return fail(new StudioError('untrusted', RESTRICTED_BUILD));
        actions.resetTimeline();
        set({ monitorText: '', monitorRefusal: undefined, panel: 'terminal', qemuTarget: target.image !== undefined ? { kind: 'image', file: target.image } : { kind: 'kernel', file: target.kernel ?? '' } });
        starting = true;
        heard = false;
        unwatch();
        set({ qemuSilent: undefined });
        try {
          const params = { board: project.studio.board, ...target, ...(options && Object.keys(options).length ? { options } : {}) };
          const { id, command, format } = await client.call('qemu.start', params as never);
          set({ qemu: { id, status: 'running', command } });
          if (startNotice && get().notice === startNotice) set({ notice: undefined });
          startNotice = undefined;
          if (!heard) watchSilence(id, target.image !== undefined ? 'image' : 'kernel', format, options);
        } catch (err) {
          fail(err);
          startNotice = get().notice;
        } finally {
          starting = false;
        }
      },
      async controlQemu(action: 'pause' | 'resume' | 'reset' | 'stop') {
        const q = get().qemu;
        if (!q) return;
        if (action === 'reset') actions.resetTimeline();
        try {
          const { status } = await client.call('qemu.control', { id: q.id, action });
          set((s) => ({ qemu: s.qemu && { ...s.qemu, status: s.qemu.status === 'exited' ? 'exited' : status } }));
        } catch (err) {
          fail(err);
        }
      },
      async monitorQemu(typed: string) {
        const q = get().qemu;
        const command = typed.trim();
        if (!q || !command) return;
        try {
          const { text } = await client.call('qemu.monitor', { id: q.id, command });
          set((s) => ({ monitorText: `${s.monitorText}(qemu) ${command}\n${text}`, monitorRefusal: undefined }));
        } catch (err) {
          // A command the host will not send is said under the input, with why and what to do instead.
          if (err instanceof StudioError && (err.code === 'forbidden' || err.code === 'invalid-params')) set({ monitorRefusal: `Not sent: ${command} — ${err.message}` });
          else fail(err);
        }
      },
      sendToQemu(data: string) {
        const q = get().qemu;
        if (q && q.status !== 'exited') void client.call('qemu.input', { id: q.id, data }).catch(() => undefined);
      },
      setQemuOptionsText(text: string) {
        set({ qemuOptionsText: text });
      },
      async listImages() {
        try {
          set({ pickedImages: (await client.call('images.list', {})).images });
        } catch (err) {
          fail(err);
        }
      },
      async pickImage() {
        try {
          const { image } = await client.call('images.pick', {});
          if (!image) return undefined;
          set((s) => ({ pickedImages: [...s.pickedImages.filter((i) => i.path !== image.path), image] }));
          return image.path;
        } catch (err) {
          fail(err);
          return undefined;
        }
      },
      async exportBootReport() {
        const { qemu, project, milestones } = get();
        if (!qemu || !project) return undefined;
        const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
        const file = `reports/boot-${stamp}.html`;
        const html = bootReportHtml({
          title: `${project.studio.name}: boot on ${project.studio.board}`,
          subtitle: `${new Date().toLocaleString()} · ${qemu.command.join(' ')}`,
          log: actions.consoleText(qemu.id),
          milestones,
        });
        try {
          await client.call('fs.writeText', { path: file, text: html });
          set({ notice: { kind: 'info', message: `Boot report written to ${file}` } });
          return file;
        } catch (err) {
          fail(err);
          return undefined;
        }
      },
    },
    dispose: subs.dispose,
  };
};
