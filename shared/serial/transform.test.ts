import { describe, expect, it } from 'vitest';
import { encodeInput, parseFraming, parseTarget, rfc2217Control, rfc2217Hello, TelnetDecoder, telnetEscape } from './transform';

const bytes = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

describe('serial input encoding', () => {
  it('maps Enter to the chosen line ending', () => {
    expect([...encodeInput(bytes('ls\r'), { enter: 'crlf', tcu: false })]).toEqual([108, 115, 13, 10]);
    expect([...encodeInput(bytes('a\rb'), { enter: 'lf', tcu: false })]).toEqual([97, 10, 98]);
  });
  it('TCU mode pads each write that ends a line to a multiple of 8 bytes with NULs', () => {
    expect([...encodeInput(bytes('ls\r'), { enter: 'cr', tcu: true })]).toEqual([108, 115, 13, 0, 0, 0, 0, 0]);
    expect(encodeInput(bytes('12345678\r'), { enter: 'cr', tcu: true }).length).toBe(16);
    // A keystroke that is not Enter goes as it is.
    expect([...encodeInput(bytes('x'), { enter: 'cr', tcu: true })]).toEqual([120]);
  });
});

describe('serial targets and RFC 2217', () => {
  it('parses device paths and URLs', () => {
    expect(parseTarget('/dev/ttyACM1')).toEqual({ kind: 'device', path: '/dev/ttyACM1' });
    expect(parseTarget('tcp://127.0.0.1:7000')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 7000 });
    expect(parseTarget('rfc2217://[::1]:2217')).toEqual({ kind: 'rfc2217', host: '::1', port: 2217 });
    expect(() => parseTarget('ssh://x:1')).toThrow(/unsupported/);
  });
  it('opens COM-PORT-OPTION with the baud rate, escaping IAC in values', () => {
    const h = [...rfc2217Hello(115200)];
    expect(h.slice(-10)).toEqual([255, 250, 44, 1, 0x00, 0x01, 0xc2, 0x00, 255, 240]);
    expect([...rfc2217Hello(0xff00)].slice(-8)).toEqual([1, 0, 0, 255, 255, 0, 255, 240]);
  });
  it('decodes telnet framing across chunks and escapes data', () => {
    const d = new TelnetDecoder();
    const a = d.decode(new Uint8Array([104, 255, 251, 44, 105, 255]));
    const b = d.decode(new Uint8Array([255, 255, 250, 44, 101, 1, 255, 240, 33]));
    expect([...a, ...b]).toEqual([104, 105, 255, 33]);
    expect([...telnetEscape(new Uint8Array([1, 255, 2]))]).toEqual([1, 255, 255, 2]);
  });
});

describe('framing', () => {
  it('reads 8N1-style framing and refuses anything else', () => {
    expect(parseFraming('8N1')).toEqual({ dataBits: 8, parity: 'none', stopBits: 1 });
    expect(parseFraming('7e2')).toEqual({ dataBits: 7, parity: 'even', stopBits: 2 });
    expect(parseFraming('5O1')).toEqual({ dataBits: 5, parity: 'odd', stopBits: 1 });
    for (const bad of ['9N1', '8X1', '8N3', '8N', '', '8N1 extra']) expect(parseFraming(bad)).toBeUndefined();
  });
});

describe('RFC 2217 line settings', () => {
  it('asks for data size, parity, stop size and flow control after the baud rate (RFC 2217 codes)', () => {
    const h = [...rfc2217Hello(115200, { dataBits: 7, parity: 'even', stopBits: 2, flowControl: 'rtscts' })];
    const sb = (code: number, v: number) => [255, 250, 44, code, v, 255, 240];
    expect(h.slice(-28)).toEqual([...sb(2, 7), ...sb(3, 3), ...sb(4, 2), ...sb(5, 3)]);
    expect(rfc2217Hello(115200)).toEqual(rfc2217Hello(115200, {}));
  });
});

describe('RFC 2217 break', () => {
  it('SET-CONTROL 5 holds the break, 6 releases it', () => {
    expect([...rfc2217Control(5)]).toEqual([255, 250, 44, 5, 5, 255, 240]);
    expect([...rfc2217Control(6)]).toEqual([255, 250, 44, 5, 6, 255, 240]);
  });
});
