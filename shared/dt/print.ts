import { readBe32 } from '../format/bigEndian';
import type { DtNode, DtTree, Property } from './tree';

/**
 * A tree as DTS text, laid out as `dtc -O dts` prints it (treesource.c): value types guessed from the bytes the way
 * dtc guesses them, cells as `0x%02x`, a blank line before each child node. Labels are printed when the tree came
 * from source.
 */
export function printDts(tree: DtTree): string {
  let out = '/dts-v1/;\n\n';
  if (tree.plugin) out = '/dts-v1/;\n/plugin/;\n\n';
  for (const r of tree.memreserve) out += `/memreserve/\t0x${r.address.toString(16).padStart(16, '0')} 0x${r.size.toString(16).padStart(16, '0')};\n`;
  out += printNode(tree.root, 0);
  return out;
}

function printNode(n: DtNode, depth: number): string {
  const tabs = '\t'.repeat(depth);
  const labels = n.labels.map((l) => `${l}: `).join('');
  let s = `${tabs}${labels}${depth === 0 ? '/' : n.name} {\n`;
  for (const p of n.props) s += `${tabs}\t${p.labels.map((l) => `${l}: `).join('')}${p.name}${formatValue(p)};\n`;
  for (const c of n.children) s += `\n${printNode(c, depth + 1)}`;
  return `${s}${tabs}};\n`;
}

const isPrint = (c: number) => c >= 0x20 && c < 0x7f;
const isStringByte = (c: number) => isPrint(c) || c === 0 || [7, 8, 9, 10, 11, 12, 13].includes(c);

function formatValue(p: Property): string {
  const v = p.value;
  if (v.length === 0) return '';
  let nul = 0;
  let notString = 0;
  for (const c of v) {
    if (!isStringByte(c)) notString++;
    if (c === 0) nul++;
  }
  if (v[v.length - 1] === 0 && notString === 0 && nul <= v.length - nul) return ` = "${escapeString(v.subarray(0, v.length - 1))}"`;
  if (v.length % 4 === 0) {
    const cells: string[] = [];
    for (let i = 0; i < v.length; i += 4) cells.push(`0x${readBe32(v, i).toString(16).padStart(2, '0')}`);
    return ` = <${cells.join(' ')}>`;
  }
  return ` = [${[...v].map((b) => b.toString(16).padStart(2, '0')).join(' ')}]`;
}

function escapeString(b: Uint8Array): string {
  const esc: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 0x5c: '\\\\', 0x22: '\\"', 0: '\\0' };
  let s = '';
  for (const c of b) s += esc[c] ?? (isPrint(c) ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`);
  return s;
}
