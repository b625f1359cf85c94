/** Text mutations for fuzzing parsers: byte-level edits and XML-aware ones that keep most of the structure. */
const TOKENS = ['<', '>', '/>', '</', '"', "'", '=', '&', '&amp;', '&#x41;', '<!--', '-->', '<![CDATA[', ']]>', '<?', '?>', '0x', '_', '-1', '99999999999999999999999', 'true', 'flase', ' ', '\n', '\u00e9', '\u0000', 'protection_domain', 'memory_region', 'channel', 'end', 'map', 'irq', 'virtual_machine', 'vcpu', 'domains', 'cspace'];

export function mutate(text: string, rand: () => number): string {
  let s = text;
  const n = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rand() * (s.length + 1));
    const len = Math.floor(rand() * 16);
    switch (Math.floor(rand() * 6)) {
      case 0: // delete a span
        s = s.slice(0, at) + s.slice(at + len);
        break;
      case 1: // insert a token
        s = s.slice(0, at) + TOKENS[Math.floor(rand() * TOKENS.length)] + s.slice(at);
        break;
      case 2: // replace a character
        s = s.slice(0, at) + String.fromCharCode(32 + Math.floor(rand() * 95)) + s.slice(at + 1);
        break;
      case 3: {
        // duplicate a span elsewhere
        const from = Math.floor(rand() * s.length);
        s = s.slice(0, at) + s.slice(from, from + len * 8) + s.slice(at);
        break;
      }
      case 4: {
        // change a number
        const m = /\d+/.exec(s.slice(at));
        if (m) {
          const i = at + m.index;
          s = s.slice(0, i) + String(Math.floor(rand() * 2 ** (rand() * 70))) + s.slice(i + m[0].length);
        }
        break;
      }
      default: // truncate
        s = s.slice(0, at);
    }
  }
  return s;
}

/** A small seeded PRNG (mulberry32) so that a failing input can be reproduced from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
