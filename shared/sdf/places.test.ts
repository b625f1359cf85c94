import { describe, expect, it } from 'vitest';
import { programImagePlace } from './places';

describe('programImagePlace', () => {
  it('finds the program_image attribute of the PD running the image, children included, not a same-named region', () => {
    const text = `<system>
  <memory_region name="a.elf" size="0x1000" />
  <protection_domain name="p">
    <program_image path="p.elf" />
    <protection_domain name="c" id="0">
      <program_image path="a.elf" path_for_symbols="sym.elf" />
    </protection_domain>
  </protection_domain>
</system>`;
    expect(programImagePlace(text, 'a.elf')).toEqual({ line: 6, column: 22 });
    expect(programImagePlace(text, 'sym.elf', true)).toEqual({ line: 6, column: 35 });
    expect(programImagePlace(text, 'none.elf')).toBeUndefined();
    expect(programImagePlace('<system', 'a.elf')).toBeUndefined();
  });
});
