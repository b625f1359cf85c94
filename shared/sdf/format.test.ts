import { describe, expect, it } from 'vitest';
import { formatSystemText } from './format';
import { importSystem } from './import';
import { sameSystem } from './document';

describe('Format', () => {
  it('re-indents and keeps licence header, comments, blank-line groups, attribute order and spellings', () => {
    const src = [
      '<?xml version="1.0"?>',
      '<!-- SPDX-License-Identifier: BSD-2-Clause -->',
      '<system>',
      "  <memory_region size='0x1_000' name='a'/>",
      '',
      '',
      '      <!-- driver',
      '           keeps this -->',
      '<protection_domain name="d" priority="10"><program_image path="d.elf"/>',
      '  <map mr="a" vaddr="0x2_000_000" perms="rw"/></protection_domain>',
      '</system>',
    ].join('\n');
    expect(formatSystemText(src)).toBe(
      [
        '<?xml version="1.0"?>',
        '<!-- SPDX-License-Identifier: BSD-2-Clause -->',
        '<system>',
        '    <memory_region size="0x1_000" name="a" />',
        '',
        '    <!-- driver',
        '           keeps this -->',
        '    <protection_domain name="d" priority="10">',
        '        <program_image path="d.elf" />',
        '        <map mr="a" vaddr="0x2_000_000" perms="rw" />',
        '    </protection_domain>',
        '</system>',
        '',
      ].join('\n'),
    );
    expect(sameSystem(importSystem(formatSystemText(src)).model!, importSystem(src).model!)).toBe(true);
    // Formatting a formatted file changes nothing.
    expect(formatSystemText(formatSystemText(src))).toBe(formatSystemText(src));
  });
});
