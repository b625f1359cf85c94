import { attr, children, parseU64 } from './checkValues';
import { parseXml, type XmlElement } from './xml';

export interface MigrationChange {
  line: number;
  column: number;
  message: string;
  /** A change that may alter behaviour and needs a person to look at it. */
  warning?: boolean;
}

export interface MigrationResult {
  text: string;
  changes: MigrationChange[];
  /** True when the file used Microkit 1.x or seL4CP syntax. */
  legacy: boolean;
}

/**
 * Microkit 1.x (and seL4CP-era VM) syntax to 2.x (reference/microkit-sdf.md §8.1):
 * `protection_domain@pp` ("others may call me") becomes `end@pp` on the caller's end, only where the caller's
 * priority is strictly lower (the 2.x rule); `virtual_machine@id|vm_id` becomes a `<vcpu id>` child.
 * Every change is reported with the place it was made. The file is edited in place (attributes removed or added
 * inside their tags), so comments, layout and line numbers stay as they were. One pass over the tree and one over the
 * text: time in proportion to the file.
 */
export function migrateToV2(text: string, parsed?: XmlElement): MigrationResult {
  // The checker hands over the tree it already has (offsets into `text`): no second parse of the file.
  const root = parsed ?? parseXml(text).root;
  const changes: MigrationChange[] = [];
  const edits: { at: number; remove: number; insert: string }[] = [];
  const ATTR = /[\w:.-]+\s*=\s*("[^"]*"|'[^']*')/y;
  const attrSpan = (a: { offset: number }) => {
    ATTR.lastIndex = a.offset;
    const m = ATTR.exec(text)!;
    let start = a.offset;
    while (start > 0 && /[ \t]/.test(text[start - 1]!)) start--;
    return { at: start, remove: a.offset + m[0].length - start };
  };
  /** Offset of the `/>` or `>` closing an element's start tag. */
  const startTagEnd = (el: XmlElement) => {
    const last = el.attrs[el.attrs.length - 1];
    let i = last ? attrSpan(last).at + attrSpan(last).remove : el.offset + 1 + el.name.length;
    while (text[i] !== '>' && !(text[i] === '/' && text[i + 1] === '>')) i++;
    return i;
  };
  const pds = new Map<string, { el: XmlElement; priority: bigint; pp: boolean }>();
  const walkPds = (el: XmlElement) => {
    for (const c of children(el)) {
      if (c.name !== 'protection_domain') continue;
      const p = parseU64(attr(c, 'priority') ?? '0');
      pds.set(attr(c, 'name') ?? '', { el: c, priority: 'value' in p ? p.value : 0n, pp: attr(c, 'pp') === 'true' });
      walkPds(c);
    }
  };
  walkPds(root);
  const legacyPp = [...pds.values()].some((p) => attr(p.el, 'pp') !== undefined);

  for (const ch of children(root).filter((c) => c.name === 'channel')) {
    const ends = children(ch).filter((e) => e.name === 'end');
    if (ends.length !== 2 || !legacyPp) continue;
    const [a, b] = ends as [XmlElement, XmlElement];
    const pa = pds.get(attr(a, 'pd') ?? '');
    const pb = pds.get(attr(b, 'pd') ?? '');
    if (!pa || !pb) continue;
    for (const [callerEnd, caller, callee, calleeName] of [
      [a, pa, pb, attr(b, 'pd')],
      [b, pb, pa, attr(a, 'pd')],
    ] as const) {
      if (!callee.pp) continue;
      if (caller.priority < callee.priority) {
        if (attr(callerEnd, 'pp') === undefined) {
          const at = startTagEnd(callerEnd);
          edits.push({ at, remove: 0, insert: `${text[at - 1] === ' ' ? '' : ' '}pp="true"${text[at] === '/' ? ' ' : ''}` });
          changes.push({ line: callerEnd.line, column: callerEnd.column, message: `set pp="true" on the end of '${attr(callerEnd, 'pd')}': it may call '${calleeName}' (priority ${caller.priority} < ${callee.priority})` });
        }
      } else {
        changes.push({
          line: ch.line,
          column: ch.column,
          warning: true,
          message: `dropped the PPC from '${attr(callerEnd, 'pd')}' to '${calleeName}': Microkit 2.x needs the callee's priority (${callee.priority}) to be strictly higher than the caller's (${caller.priority})`,
        });
      }
    }
  }
  for (const p of pds.values()) {
    const ppAttr = p.el.attrs.find((x) => x.name === 'pp');
    if (ppAttr) {
      edits.push({ ...attrSpan(ppAttr), insert: '' });
      changes.push({ line: p.el.line, column: p.el.column, message: `removed pp from protection domain '${attr(p.el, 'name')}' (moved to channel ends)` });
    }
    for (const vm of children(p.el).filter((c) => c.name === 'virtual_machine')) {
      const idAttr = vm.attrs.find((x) => x.name === 'id' || x.name === 'vm_id');
      if (!idAttr) continue;
      const span = attrSpan(idAttr);
      const close = startTagEnd(vm);
      const indent = ' '.repeat(vm.column - 1);
      const vcpu = `<vcpu id="${idAttr.value}" />`;
      edits.push({ ...span, insert: '' });
      if (!children(vm).some((c) => c.name === 'vcpu')) {
        // A self-closing <virtual_machine/> becomes an element holding the vCPU.
        edits.push(
          text[close] === '/'
            ? { at: close, remove: 2, insert: `>\n${indent}    ${vcpu}\n${indent}</virtual_machine>` }
            : { at: close + 1, remove: 0, insert: `\n${indent}    ${vcpu}` },
        );
      }
      changes.push({ line: vm.line, column: vm.column, message: `virtual machine '${attr(vm, 'name')}': ${idAttr.name}="${idAttr.value}" became <vcpu id="${idAttr.value}" />` });
    }
  }
  // Applied from the start in one pass (edits never overlap; at one offset, the order they were made in).
  const parts: string[] = [];
  let from = 0;
  for (const e of edits.map((x, i) => ({ ...x, i })).sort((x, y) => x.at - y.at || y.i - x.i)) {
    parts.push(text.slice(from, e.at), e.insert);
    from = e.at + e.remove;
  }
  parts.push(text.slice(from));
  return { text: parts.join(''), changes, legacy: changes.length > 0 };
}
