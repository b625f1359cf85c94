/**
 * What a serial terminal does to the bytes it sends: line-ending maps and the TCU rule. The Jetson TCU (a console
 * over HSP mailboxes, reached through the SPE's USB-CDC) only flushes its receive batch at 8 bytes, so each write
 * that ends an input line is padded with NUL bytes to a multiple of 8 (reference/field-notes.md §1).
 */
export type LineEnding = 'cr' | 'lf' | 'crlf';

export interface SendOptions {
  /** What Enter (a CR from the terminal) becomes on the wire. */
  enter: LineEnding;
  tcu: boolean;
}

const ENDINGS: Record<LineEnding, number[]> = { cr: [13], lf: [10], crlf: [13, 10] };

export function encodeInput(data: Uint8Array, opts: SendOptions): Uint8Array {
  const out: number[] = [];
  for (const b of data) {
    if (b === 13) out.push(...ENDINGS[opts.enter]);
    else out.push(b);
  }
  if (opts.tcu && data.includes(13)) while (out.length % 8) out.push(0);
  return new Uint8Array(out);
}

/** Parse a serial target: a device path, `tcp://host:port` (raw) or `rfc2217://host:port` (ser2net). */
export function parseTarget(target: string): { kind: 'device'; path: string } | { kind: 'tcp' | 'rfc2217'; host: string; port: number } {
  const m = /^(tcp|rfc2217):\/\/(\[[^\]]+\]|[^:/]+):(\d{1,5})\/?$/.exec(target);
  if (m) {
    const port = Number(m[3]);
    if (port < 1 || port > 65535) throw new Error(`bad port in ${target}`);
    return { kind: m[1] as 'tcp' | 'rfc2217', host: m[2]!.replace(/^\[|\]$/g, ''), port };
  }
  if (/^[a-z]+:\/\//i.test(target)) throw new Error(`unsupported serial URL ${target} (tcp://host:port or rfc2217://host:port)`);
  return { kind: 'device', path: target };
}

/** RFC 2217 (Telnet COM-PORT-OPTION): the client's opening and a baud-rate request. */
export const TELNET = { IAC: 255, WILL: 251, WONT: 252, DO: 253, DONT: 254, SB: 250, SE: 240, BINARY: 0, SGA: 3, COM_PORT: 44 } as const;

export function rfc2217Hello(baud: number, line?: Partial<Framing> & { flowControl?: FlowControl }): Uint8Array {
  const { IAC, WILL, DO, SB, SE, BINARY, SGA, COM_PORT } = TELNET;
  // A COM-PORT-OPTION command with its value; an IAC inside the value is doubled.
  const cmd = (code: number, value: number[]) => [IAC, SB, COM_PORT, code, ...value.flatMap((x) => (x === IAC ? [IAC, IAC] : [x])), IAC, SE];
  const out: number[] = [IAC, WILL, BINARY, IAC, DO, BINARY, IAC, WILL, SGA, IAC, DO, SGA, IAC, WILL, COM_PORT];
  out.push(...cmd(1, [(baud >>> 24) & 0xff, (baud >>> 16) & 0xff, (baud >>> 8) & 0xff, baud & 0xff])); // SET-BAUDRATE
  if (line?.dataBits) out.push(...cmd(2, [line.dataBits])); // SET-DATASIZE
  if (line?.parity) out.push(...cmd(3, [{ none: 1, odd: 2, even: 3 }[line.parity]])); // SET-PARITY
  if (line?.stopBits) out.push(...cmd(4, [line.stopBits])); // SET-STOPSIZE
  if (line?.flowControl) out.push(...cmd(5, [{ none: 1, xonxoff: 2, rtscts: 3 }[line.flowControl]])); // SET-CONTROL
  return new Uint8Array(out);
}

/** A COM-PORT-OPTION SET-CONTROL request (5 = break on, 6 = break off, 1 = no flow control…). */
export function rfc2217Control(value: number): Uint8Array {
  const { IAC, SB, SE, COM_PORT } = TELNET;
  return new Uint8Array([IAC, SB, COM_PORT, 5, value, IAC, SE]);
}

/** Telnet framing: data bytes out of a stream with IAC commands (kept across chunk boundaries). */
export class TelnetDecoder {
  private state: 'data' | 'iac' | 'opt' | 'sb' | 'sb-iac' = 'data';
  decode(chunk: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (const c of chunk) {
      switch (this.state) {
        case 'data':
          if (c === TELNET.IAC) this.state = 'iac';
          else out.push(c);
          break;
        case 'iac':
          if (c === TELNET.IAC) {
            out.push(c);
            this.state = 'data';
          } else if (c === TELNET.SB) this.state = 'sb';
          else if (c >= TELNET.WILL && c <= TELNET.DONT) this.state = 'opt';
          else this.state = 'data';
          break;
        case 'opt':
          this.state = 'data';
          break;
        case 'sb':
          if (c === TELNET.IAC) this.state = 'sb-iac';
          break;
        case 'sb-iac':
          this.state = c === TELNET.SE ? 'data' : 'sb';
          break;
      }
    }
    return new Uint8Array(out);
  }
}

/** Data for a telnet stream: IAC doubled. */
export function telnetEscape(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const b of data) out.push(...(b === TELNET.IAC ? [b, b] : [b]));
  return new Uint8Array(out);
}

export interface Framing {
  dataBits: 5 | 6 | 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
}

/** `8N1`, `7E1`, `8O2`…: the usual way a console's framing is written (data bits, parity, stop bits). */
export function parseFraming(text: string): Framing | undefined {
  const m = /^([5-8])([NEO])([12])$/i.exec(text.trim());
  if (!m) return undefined;
  const parity = ({ N: 'none', E: 'even', O: 'odd' } as const)[m[2]!.toUpperCase() as 'N' | 'E' | 'O'];
  return { dataBits: Number(m[1]) as Framing['dataBits'], parity, stopBits: Number(m[3]) as Framing['stopBits'] };
}

export const FLOW_CONTROLS = ['none', 'rtscts', 'xonxoff'] as const;
export type FlowControl = (typeof FLOW_CONTROLS)[number];
