import type { Diagnostic } from '../api/diagnostics';
import { DtError } from '../dt/cpp';
import { writeDtb } from '../dt/dtb';
import { parseDtsFile } from '../dt/parse';
import type { Index } from '../dt/query';
import { kernelConfigForBoard, type BoardPack } from '../model/board';
import type { Edit } from '../model/edits';
import { checkSystem } from '../sdf/check';
import { editSystemDocEdits, UneditableText, type SystemDoc } from '../sdf/document';
import { hunksOf, type Hunk } from '../sdf/editHunks';
import { passthroughEdit } from './additions';
import type { BindingTable } from './bindings';
import { planPassthrough, type Plan, type PlanInput, type PlanOptions } from './plan';
import { renderPassthrough, type PassthroughFiles } from './render';
import type { VmSpec } from './target';
import type { Audience } from './words';

/**
 * The wizard's preview and the check before Apply: what the passthrough does to the open document (its text edits as
 * a diff, the text after, whether it stays lossless), the files written beside it, and whether the result is sound:
 * the plan has no error, the system after it has no validator error, the guest DTS compiles (the engine's compiler
 * gives dtc's bytes). The edit it returns is the one Apply runs, so the preview is exactly what Apply writes.
 */
export interface WizardChoice {
  /** Catalogue ids (node paths, `board:<name>`), board-pack names, labels or node names. */
  devices: string[];
  options?: PlanOptions;
  vm?: VmSpec;
  /** The KVM/Ghaf host overlay and QEMU vfio arguments (labelled as such; not used by Microkit). */
  kvmExtras?: boolean;
}

export interface PreviewInput {
  board: BoardPack;
  dt?: Index;
  tables?: readonly BindingTable[];
  /** The open document and its file name (places in diagnostics). */
  doc: SystemDoc;
  file: string;
  choice: WizardChoice;
  /** The build configuration the checks use (default debug). */
  config?: string;
  /** Whose words say what to change (default the wizard's: this is its preview). */
  audience?: Audience;
}

/** What the guest DTS compiles to, or where it does not. */
export type GuestCheck = { ok: true; dtbBytes: number } | { ok: false; line: number; column: number; message: string };

export interface PassthroughPreview {
  plan: Plan;
  input: PlanInput;
  /** The undoable edit Apply makes. */
  edit: Edit;
  /** The document's text after the edit, and the edit as hunks of the text before. */
  text: string;
  hunks: Hunk[];
  /** The edit could not be written in place: the file would be rewritten in canonical form. */
  lossy: boolean;
  /** The system already has everything the plan adds. */
  unchanged: boolean;
  /** guest.dts, vmm_irqs.c, report.md (and the KVM/Ghaf files on request): what Apply writes into the folder. */
  files: Omit<PassthroughFiles, 'passthrough.system'>;
  /** Validator errors of the system after the edit. */
  errors: Diagnostic[];
  guest: GuestCheck;
  /** Why Apply is off (empty: it can run). */
  blockers: string[];
}

export function previewPassthrough(p: PreviewInput): PassthroughPreview {
  const input: PlanInput = {
    board: p.board,
    devices: p.choice.devices,
    system: p.doc.system,
    ...(p.dt ? { dt: p.dt } : {}),
    ...(p.tables ? { tables: p.tables } : {}),
    ...(p.choice.vm ? { vm: p.choice.vm } : {}),
    ...(p.choice.options ? { options: p.choice.options } : {}),
    // The wizard's user changes the plan with its steps and fields: the findings and report.md say so in those words.
    audience: p.audience ?? 'wizard',
  };
  const plan = planPassthrough(input);
  const { system: _system, ...withoutSystem } = input;
  void _system;
  const edit = passthroughEdit(plan, withoutSystem);
  const blockers: string[] = [];
  const planErrors = plan.messages.filter((m) => m.severity === 'error');
  for (const m of planErrors) blockers.push(`${m.device ? `${m.device}: ` : ''}${m.message}`);
  if (!plan.devices.length && !planErrors.length) blockers.push('no device chosen');

  let text = p.doc.text;
  let hunks: Hunk[] = [];
  let lossy = false;
  try {
    const r = editSystemDocEdits(p.doc, edit, p.file);
    text = r.doc.text;
    lossy = r.edits === undefined;
    hunks = r.edits ? hunksOf(p.doc.text, r.edits) : [];
  } catch (e) {
    if (!(e instanceof UneditableText)) throw e;
    blockers.push(e.message);
  }
  const unchanged = text === p.doc.text;
  if (unchanged && plan.devices.length && !planErrors.length) blockers.push(`${p.file} already has everything this passthrough adds`);
  const errors = checkSystem(text, p.file, kernelConfigForBoard(p.board, p.config)).diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) blockers.push(`the system would have ${errors.length} validator error${errors.length === 1 ? '' : 's'}: ${errors[0]!.message}`);
  const { 'passthrough.system': _whole, ...files } = renderPassthrough(plan, input, { kvmExtras: p.choice.kvmExtras ?? false, target: p.file.split('/').pop()! });
  void _whole;
  const guest = checkGuestDts(files['guest.dts']);
  if (!guest.ok) blockers.push(`guest.dts does not compile: ${guest.line}:${guest.column}: ${guest.message}`);
  return { plan, input, edit, text, hunks, lossy, unchanged, files, errors, guest, blockers };
}

/** The guest DTS through the engine's compiler (dtc's bytes; tests/passthrough.test.ts holds it to real dtc). */
export function checkGuestDts(dts: string, name = 'guest.dts'): GuestCheck {
  try {
    return { ok: true, dtbBytes: writeDtb(parseDtsFile(name, { readFile: (f) => (f === name ? dts : undefined) })).length };
  } catch (e) {
    if (!(e instanceof DtError)) throw e;
    return { ok: false, line: e.line, column: e.column, message: e.message.slice(`${e.file}:${e.line}:${e.column}: `.length) };
  }
}
