/**
 * Crafted `.system` inputs of a chosen size (issue 13): the bounds tests check what each ends with, the DoS corpus
 * how its time grows with the size.
 */

/** A protection domain with `n` attributes (a0 … a(n-1)); with `duplicate`, the last one repeats the first's name. */
export function manyAttributes(n: number, duplicate = false): string {
  const attrs: string[] = ['name="pd"'];
  for (let i = 0; i < n; i++) attrs.push(`a${duplicate && i === n - 1 ? 0 : i}="${i}"`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<system>\n    <protection_domain ${attrs.join(' ')}>\n        <program_image path="pd.elf" />\n    </protection_domain>\n</system>\n`;
}

/**
 * A Microkit 1.x system of `n` PDs with `pp="true"` (priorities 1…250 repeating) and a channel between each pair:
 * what the 1.x → 2.x migration rewrites.
 */
export function legacyPds(n: number): string {
  let s = '<?xml version="1.0" encoding="UTF-8"?>\n<system>\n';
  for (let i = 0; i < n; i++) s += `    <protection_domain name="p${i}" priority="${1 + (i % 250)}" pp="true">\n        <program_image path="p.elf" />\n    </protection_domain>\n`;
  for (let i = 0; i + 1 < n; i += 2) s += `    <channel>\n        <end pd="p${i}" id="1" />\n        <end pd="p${i + 1}" id="1" />\n    </channel>\n`;
  return `${s}</system>\n`;
}

/** `<system>` with protection domains nested `depth` deep below it (each a child of the last, id 1). */
export function deepPds(depth: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    open += `<protection_domain name="p${i}"${i ? ' id="1"' : ''} priority="${Math.max(1, 250 - i)}"><program_image path="p.elf" />`;
    close = `</protection_domain>${close}`;
  }
  return `<system>${open}${close}</system>\n`;
}

/** `depth` elements each inside the last, on one line (the element at depth d starts at column 1 + 3d). */
export function deepElements(depth: number): string {
  return `${'<a>'.repeat(depth + 1)}${'</a>'.repeat(depth + 1)}`;
}

/** A root declaring `n` namespace prefixes, and `n` children each declaring one more and using an inherited one. */
export function manyNamespaces(n: number): string {
  let s = '<system';
  for (let i = 0; i < n; i++) s += ` xmlns:p${i}="urn:p${i}"`;
  s += '>\n';
  for (let i = 0; i < n; i++) s += `<c${i} xmlns:q${i}="urn:q${i}" p${i}:x="1" q${i}:y="2" />\n`;
  return `${s}</system>\n`;
}

/** Files f0.system … f`levels`.xml, each including the next twice (2^levels includes). */
export function xincludeDiamond(levels: number): Record<string, string> {
  const xi = 'xmlns:xi="http://www.w3.org/2001/XInclude"';
  const files: Record<string, string> = {
    'f0.system': `<system ${xi}>\n    <xi:include href="f1.xml" />\n    <xi:include href="f1.xml" />\n</system>\n`,
  };
  for (let i = 1; i < levels; i++) files[`f${i}.xml`] = `<g ${xi}><xi:include href="f${i + 1}.xml" /><xi:include href="f${i + 1}.xml" /></g>\n`;
  files[`f${levels}.xml`] = '<memory_region name="m" size="0x1000" />\n';
  return files;
}

/** Files f0.system … f`depth`.xml, each including the next once. */
export function xincludeChain(depth: number): Record<string, string> {
  const xi = 'xmlns:xi="http://www.w3.org/2001/XInclude"';
  const files: Record<string, string> = { 'f0.system': `<system ${xi}>\n    <xi:include href="f1.xml" />\n</system>\n` };
  for (let i = 1; i < depth; i++) files[`f${i}.xml`] = `<g ${xi}><xi:include href="f${i + 1}.xml" /></g>\n`;
  files[`f${depth}.xml`] = '<memory_region name="m" size="0x1000" />\n';
  return files;
}
