import type { Diagnostic } from '../api/diagnostics';
import type { SystemModel } from '../model/system';
import { printNode, systemTree } from './systemTree';
import { featuresNewerThan, type MicrokitTarget } from './versions';
import { parseXml } from './xml';

/**
 * Canonical `.system` text (reference/microkit-sdf.md §12): 4-space indent; `<domains>` first, then memory regions,
 * IO address spaces, protection domains (children nested, `program_image` first) and channels; addresses and sizes
 * in lowercase hex; decimal-only fields (ids, IRQ numbers, vectors, pins, handles, ioport sizes: §1) in decimal.
 * Used for new files and the explicit Format command; edits of a user's file go through reconcile.ts instead.
 */
export function exportSystem(model: SystemModel): string {
  return exportSystemWithSources(model).text;
}

/** The canonical text and where each keyed element starts in it (the importer's keys: `pd:x`, `mr:y`, …). */
export function exportSystemWithSources(model: SystemModel): { text: string; sources: Map<string, { line: number; column: number }> } {
  const sources = new Map<string, { line: number; column: number }>();
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  printNode(systemTree(model), '', '    ', (key, line) => sources.set(key, { line: line + 1, column: 1 }), lines);
  for (const at of sources.values()) at.column = lines[at.line - 1]!.indexOf('<') + 1;
  lines.push('');
  return { text: lines.join('\n'), sources };
}

/**
 * Export for a Microkit release: refused, with every feature the release lacks and its place in the exported
 * text, when the model uses one (§8).
 */
export function exportSystemFor(model: SystemModel, target: MicrokitTarget, file = 'system.system'): { xml?: string; diagnostics: Diagnostic[] } {
  const xml = exportSystem(model);
  const diagnostics = featuresNewerThan(parseXml(xml).root, target, file);
  return diagnostics.length ? { diagnostics } : { xml, diagnostics };
}

