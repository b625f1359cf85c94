import { updateMemoryRegion, updateProtectionDomain, type Edit } from '../model/edits';
import { updateVirtualMachine } from '../model/editsInsidePd';
import { allProtectionDomains } from '../model/system';
import { analyzeText, editSystemDoc, openSystemDoc, type SystemDoc } from './document';
import { applyTextEdits, reconcileTrees } from './reconcile';
import { printNode, systemTree, type TreeNode } from './systemTree';

/** One scripted change: `ELEMENT[NAME]@ATTR=VALUE` (set), `ELEMENT[NAME]@ATTR` (unset) or a rename. */
export type ScriptedOp =
  | { kind: 'set'; element: string; name: string; attr: string; value: string | undefined }
  | { kind: 'rename'; what: 'pd' | 'mr' | 'vm'; from: string; to: string };

export class ScriptError extends Error {}

const SPEC = /^([A-Za-z_][\w.-]*)\[([^\]]+)\]@([A-Za-z_][\w.-]*)(?:=([^]*))?$/;

/** `protection_domain[serial_driver]@priority=200` → a set; without `=VALUE` (for --unset) the attribute goes. */
export function parseSetSpec(spec: string, unset = false): ScriptedOp {
  const m = SPEC.exec(spec);
  if (!m || (unset ? m[4] !== undefined : m[4] === undefined)) {
    throw new ScriptError(`'${spec}' is not ${unset ? 'ELEMENT[NAME]@ATTR' : 'ELEMENT[NAME]@ATTR=VALUE'} (e.g. protection_domain[serial_driver]@priority=200)`);
  }
  return { kind: 'set', element: m[1]!, name: m[2]!, attr: m[3]!, value: unset ? undefined : m[4]! };
}

const KINDS = { pd: 'protection domain', mr: 'memory region', vm: 'virtual machine' } as const;
export function parseRename(kind: string, from: string, to: string): ScriptedOp {
  if (!(kind in KINDS)) throw new ScriptError(`rename KIND must be pd, mr or vm, not '${kind}'`);
  if (!/^[A-Za-z_][\w.-]*$/.test(to)) throw new ScriptError(`'${to}' is not a valid name`);
  return { kind: 'rename', what: kind as 'pd' | 'mr' | 'vm', from, to };
}

/**
 * Apply scripted changes to a `.system` text with the IDE's own lossless engine: each change touches only the bytes
 * it needs (a set: that attribute's value; a rename: the name and every reference). No operation: the same bytes.
 */
export function applyScripted(text: string, file: string, ops: readonly ScriptedOp[]): string {
  let doc = openSystemDoc(text, file, { nodes: {} });
  const first = analyzeText(text, file);
  if (!first.parsed || !first.model) {
    const d = first.diagnostics[0];
    throw new ScriptError(`${file}:${d?.line ?? 1}:${d?.column ?? 1}: ${d?.message ?? 'not a system description'}`);
  }
  for (const op of ops) doc = op.kind === 'set' ? setAttribute(doc, file, op) : rename(doc, file, op);
  return doc.text;
}

function rename(doc: SystemDoc, file: string, op: Extract<ScriptedOp, { kind: 'rename' }>): SystemDoc {
  const s = doc.system;
  let edit: Edit;
  if (op.what === 'pd') {
    if (!allProtectionDomains(s).some((p) => p.name === op.from)) throw new ScriptError(`no protection domain '${op.from}' in ${file}`);
    edit = updateProtectionDomain(op.from, { name: op.to });
  } else if (op.what === 'mr') {
    if (!s.memoryRegions.some((m) => m.name === op.from)) throw new ScriptError(`no memory region '${op.from}' in ${file}`);
    edit = updateMemoryRegion(op.from, { name: op.to });
  } else {
    const owner = allProtectionDomains(s).find((p) => p.virtualMachine?.name === op.from);
    if (!owner) throw new ScriptError(`no virtual machine '${op.from}' in ${file}`);
    edit = updateVirtualMachine(owner.name, { name: op.to });
  }
  const next = editSystemDoc(doc, edit, file);
  if (next.lossy) throw new ScriptError(`${file}: the rename of '${op.from}' could not be made without rewriting the file; nothing written`);
  return next;
}

function setAttribute(doc: SystemDoc, file: string, op: Extract<ScriptedOp, { kind: 'set' }>): SystemDoc {
  const before = systemTree(doc.system);
  const found: TreeNode[] = [];
  const walk = (n: TreeNode) => {
    if (n.raw === undefined && n.tag === op.element && n.attrs.some(([k, v]) => k === 'name' && v === op.name)) found.push(n);
    for (const c of n.children ?? []) walk(c);
  };
  walk(before);
  if (found.length !== 1) throw new ScriptError(found.length ? `${found.length} elements are ${op.element}[${op.name}] in ${file}` : `no ${op.element} named '${op.name}' in ${file}`);
  const target = found[0]!;
  const change = (n: TreeNode): TreeNode => {
    if (n === target) {
      const has = n.attrs.some(([k]) => k === op.attr);
      const attrs: [string, string][] =
        op.value === undefined ? n.attrs.filter(([k]) => k !== op.attr) : has ? n.attrs.map(([k, v]) => [k, k === op.attr ? op.value! : v]) : [...n.attrs, [op.attr, op.value]];
      return { ...n, attrs };
    }
    return n.children ? { ...n, children: n.children.map(change) } : n;
  };
  const after = change(before);
  const root = analyzeText(doc.text, file).parsed!.root;
  const edits = reconcileTrees(doc.text, root, before, after);
  const text = edits ? applyTextEdits(doc.text, edits) : undefined;
  const read = text === undefined ? undefined : analyzeText(text, file);
  const model = read?.model;
  // The file must read back as the change says: an attribute the tool does not know, or a value it cannot read,
  // would leave the element unreadable (kept verbatim), which the importer says.
  const unread = (ds: { rule?: string }[]) => ds.filter((d) => d.rule === 'import' || d.rule === 'kept-verbatim').length;
  const expect = printNode(after, '').join('\n');
  if (!model || unread(read.diagnostics) > unread(analyzeText(doc.text, file).diagnostics) || printNode(systemTree(model), '').join('\n') !== expect) {
    throw new ScriptError(`${file}: ${op.element}[${op.name}]@${op.attr}${op.value === undefined ? '' : `=${op.value}`} is not a value seL4 Studio can write there (the element would not read back as set)`);
  }
  return { text: text!, system: model, layout: doc.layout };
}
