import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl } from './externalLinks';

describe('external links the window may open', () => {
  it('allows seL4 documentation and the seL4 projects on GitHub', () => {
    expect(isAllowedExternalUrl('https://docs.sel4.systems/projects/microkit/manual/latest/')).toBe(true);
    expect(isAllowedExternalUrl('https://github.com/seL4/microkit/releases')).toBe(true);
    expect(isAllowedExternalUrl('https://github.com/au-ts/libvmm')).toBe(true);
  });
  it('refuses other sites, schemes, look-alike hosts, credentials and ports', () => {
    for (const url of [
      'https://evil.example/',
      'https://github.com/attacker/seL4',
      'https://github.com.evil.example/seL4/microkit',
      'https://docs.sel4.systems.evil.example/',
      'http://docs.sel4.systems/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'vscode://open?file=/etc/passwd',
      'https://user:pw@docs.sel4.systems/',
      'https://docs.sel4.systems:8443/',
      'not a url',
    ]) expect(isAllowedExternalUrl(url), url).toBe(false);
  });
});
