import net from 'node:net';

/** A QMP connection (JSON lines over a unix socket): commands answered in order, events passed on. */
export class Qmp {
  private buf = '';
  private pending: { resolve(v: unknown): void; reject(e: Error): void }[] = [];
  private constructor(
    private readonly sock: net.Socket,
    private readonly onEvent: (event: string, data: unknown) => void,
  ) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl).trim();
        this.buf = this.buf.slice(nl + 1);
        if (!line) continue;
        const msg = JSON.parse(line) as { return?: unknown; error?: { desc: string }; event?: string; data?: unknown; QMP?: unknown };
        if (msg.QMP) continue;
        if (msg.event) this.onEvent(msg.event, msg.data);
        else if ('return' in msg || msg.error) {
          const p = this.pending.shift();
          if (msg.error) p?.reject(new Error(msg.error.desc));
          else p?.resolve(msg.return);
        }
      }
    });
    const fail = () => {
      for (const p of this.pending.splice(0)) p.reject(new Error('QMP connection closed'));
    };
    sock.on('close', fail);
    sock.on('error', fail);
  }

  /** Connect, retrying while QEMU creates the socket, and leave capabilities negotiation done. */
  static async connect(path: string, onEvent: (event: string, data: unknown) => void, timeoutMs = 5000, alive: () => boolean = () => true): Promise<Qmp> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        const sock = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(path);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
        const q = new Qmp(sock, onEvent);
        await q.execute('qmp_capabilities');
        return q;
      } catch (e) {
        if (Date.now() > until || !alive()) throw new Error(`cannot connect to QEMU's QMP socket ${path}: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ resolve: resolve as (v: unknown) => void, reject });
      this.sock.write(`${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`);
    });
  }

  close() {
    this.sock.destroy();
  }
}
