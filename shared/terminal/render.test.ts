import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConsoleRenderer, formatStamp, localEcho, pasteNeedsConfirmation, renderConsole, trimChunks, type ConsoleChunk, tailLines } from './render';

const enc = (s: string) => new TextEncoder().encode(s);
const strip = (s: string) => s.replaceAll('\x1b[2m', '').replaceAll('\x1b[0m', '');

describe('console rendering', () => {
  it('plain text passes through, a UTF-8 character split across chunks included', () => {
    const bytes = enc('µ-kernel: Booting all finished\r\n');
    const chunks = [
      { t: 0, data: bytes.slice(0, 1) },
      { t: 5, data: bytes.slice(1) },
    ];
    expect(renderConsole(chunks, { timestamps: false, hex: false }, new TextDecoder())).toBe('µ-kernel: Booting all finished\r\n');
  });

  it('stamps each line with the time its first byte arrived', () => {
    const chunks: ConsoleChunk[] = [
      { t: 0, data: enc('LDR|INFO: altloader for seL4 starting\r\n') },
      { t: 1234, data: enc('Bootstrapping ') },
      { t: 1300, data: enc('kernel\r\n\r\nMON|INFO: Microkit Bootstrap\r\n') },
    ];
    expect(strip(renderConsole(chunks, { timestamps: true, hex: false }, new TextDecoder()))).toBe(
      '[    0.000] LDR|INFO: altloader for seL4 starting\r\n[    1.234] Bootstrapping kernel\r\n\r\n[    1.300] MON|INFO: Microkit Bootstrap\r\n',
    );
    expect(formatStamp(61_000.4)).toBe('[   61.000] ');
  });

  it('hex view: offset, 16 bytes a row, an ASCII gutter; 0xff and control bytes shown', () => {
    const data = new Uint8Array([...enc('hello, seL4!'), 0xff, 0x00, 0x0d, 0x0a, 0x41]);
    const out = strip(renderConsole([{ t: 0, data }], { timestamps: false, hex: true }, new TextDecoder()));
    expect(out).toBe('00000000  68 65 6c 6c 6f 2c 20 73  65 4c 34 21 ff 00 0d 0a  |hello, seL4!....|\r\n00000010  41 ');
  });

  it('the same screen whether the bytes came at once or one at a time (any split, any options)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(200)), fc.boolean(), fc.boolean(), (data, cuts, timestamps, hex) => {
        const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        const chunks: ConsoleChunk[] = [];
        let prev = 0;
        for (const p of [...points, data.length]) {
          chunks.push({ t: 0, data: data.slice(prev, p) });
          prev = p;
        }
        const whole = renderConsole([{ t: 0, data }], { timestamps, hex }, new TextDecoder());
        const r = new ConsoleRenderer({ timestamps, hex }, new TextDecoder());
        expect(chunks.map((c) => r.feed(c)).join('')).toBe(whole);
      }),
    );
  });

  it('a backlog is cut to its last lines (what a terminal keeping that many would still show)', () => {
    expect(tailLines('a\nb\nc\n', 2)).toBe('b\nc\n');
    expect(tailLines('a\nb\nc', 1)).toBe('b\nc');
    expect(tailLines('a\nb\n', 5)).toBe('a\nb\n');
    expect(tailLines('\nb\n', 1)).toBe('b\n');
    expect(tailLines('\n\n', 5)).toBe('\n\n');
    expect(tailLines('', 3)).toBe('');
    const big = Array.from({ length: 150_000 }, (_, i) => `line ${i}\r\n`).join('');
    expect(tailLines(big, 10_000).split('\n').length - 1).toBe(10_000);
    expect(tailLines(big, 10_000).startsWith('line 140000\r\n')).toBe(true);
  });

  it('local echo turns Enter into a new line and DEL into a rub-out', () => {
    expect(localEcho('ls\r')).toBe('ls\r\n');
    expect(localEcho('a\x7f')).toBe('a\b \b');
  });

  it('paste guard: keystrokes and a short one-line paste go straight through; multi-line or large pastes wait', () => {
    expect(pasteNeedsConfirmation('r')).toBeUndefined();
    expect(pasteNeedsConfirmation('\r')).toBeUndefined();
    expect(pasteNeedsConfirmation('setenv bootargs console=ttyTCU0\r')).toBeUndefined();
    expect(pasteNeedsConfirmation('setenv a 1\rsetenv b 2\r')).toEqual({ bytes: 22, lines: 2 });
    expect(pasteNeedsConfirmation('\x1b[200~mw.l 0 0\nmd 0\x1b[201~')).toEqual({ bytes: 13, lines: 2 });
    expect(pasteNeedsConfirmation('x'.repeat(300))).toEqual({ bytes: 300, lines: 1 });
  });

  it('history trimming drops whole chunks from the front and keeps the newest', () => {
    const chunks = [0, 1, 2, 3].map((i) => ({ t: i, data: new Uint8Array(10).fill(i) }));
    expect(trimChunks(chunks, 40, 25)).toBe(20);
    expect(chunks.map((c) => c.t)).toEqual([2, 3]);
  });
});
