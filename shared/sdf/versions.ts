import type { Diagnostic } from '../api/diagnostics';
import { children, attr } from './checkValues';
import type { XmlElement } from './xml';

export const MICROKIT_TARGETS = ['2.0', '2.1', '2.2', '2.3'] as const;
export type MicrokitTarget = (typeof MICROKIT_TARGETS)[number];

/** Elements and attributes by the release that introduced them (reference/microkit-sdf.md §8). */
const FEATURES: { element: string; attr?: string; since: MicrokitTarget; when?: (el: XmlElement) => boolean }[] = [
  { element: 'end', attr: 'pp', since: '2.0' },
  { element: 'end', attr: 'notify', since: '2.0' },
  { element: 'protection_domain', attr: 'smc', since: '2.0' },
  { element: 'map', attr: 'setvar_size', since: '2.0' },
  { element: 'protection_domain', attr: 'cpu', since: '2.1' },
  { element: 'vcpu', attr: 'cpu', since: '2.1' },
  { element: 'vcpu', attr: 'setvar_id', since: '2.1' },
  { element: 'irq', attr: 'setvar_id', since: '2.1' },
  { element: 'end', attr: 'setvar_id', since: '2.1' },
  { element: 'protection_domain', attr: 'setvar_id', since: '2.1' },
  { element: 'irq', attr: 'pin', since: '2.1' },
  { element: 'irq', attr: 'pcidev', since: '2.1' },
  { element: 'ioport', since: '2.1' },
  { element: 'program_image', attr: 'path_for_symbols', since: '2.2' },
  { element: 'memory_region', attr: 'prefill_path', since: '2.2' },
  { element: 'map', attr: 'setvar_prefill_size', since: '2.2' },
  { element: 'protection_domain', attr: 'fpu', since: '2.3' },
  { element: 'protection_domain', attr: 'domain', since: '2.3' },
  { element: 'domains', since: '2.3' },
  { element: 'cspace', since: '2.3' },
  { element: 'io_address_space', since: '2.3' },
  { element: 'memory_region', attr: 'prefill_bootinfo', since: '2.3' },
];

/** Everything in the file that the target Microkit release does not understand, with its place. */
export function featuresNewerThan(root: XmlElement, target: MicrokitTarget, file?: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const walk = (el: XmlElement) => {
    for (const f of FEATURES) {
      if (f.element !== el.name || f.since <= target) continue;
      if (f.attr !== undefined && attr(el, f.attr) === undefined) continue;
      const what = f.attr ? `attribute '${f.attr}' on <${el.name}>` : `element <${el.name}>`;
      out.push({ severity: 'error', rule: 'microkit-version', file, line: el.line, column: el.column, message: `Error: ${what} needs Microkit ${f.since} or later; the target is Microkit ${target}` });
    }
    for (const c of children(el)) walk(c);
  };
  walk(root);
  return out;
}
