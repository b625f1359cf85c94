import { describe, expect, it } from 'vitest';
import { jsonErrorOffset } from './jsonError';

describe('jsonErrorOffset', () => {
  it('agrees with JSON.parse on validity', () => {
    const samples = ['{}', '[]', '{"a":[1,2.5e3,-0,true,false,null,"x\\u00e9"]}', ' 1 ', '{"a":}', '[1,]', '{"a" 1}', '"\\x"', '01', '', '{', 'tru', '[1] 2', '"a\nb"'];
    for (const s of samples) {
      let valid = true;
      try {
        JSON.parse(s);
      } catch {
        valid = false;
      }
      expect(jsonErrorOffset(s) === -1, s).toBe(valid);
    }
  });
  it('points at the offending character', () => {
    expect(jsonErrorOffset('{"a":}')).toBe(5);
    expect(jsonErrorOffset('[1,]')).toBe(3);
    expect(jsonErrorOffset('{')).toBe(1);
  });
});
