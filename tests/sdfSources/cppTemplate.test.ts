import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSystem } from '../../shared/sdf/check';
import { mapEdit, placeDiagnostic, placeOf, type CompositeSource } from '../../shared/sdf/composite';
import { importSystem } from '../../shared/sdf/import';
import { kernelConfigFromLabel } from '../../shared/sdf/kernelConfig';
import { isCppTemplate, templateFromSubset, type CppSettings } from '../../shared/sdf/template';
import { detectTemplateSettings, preprocessTemplate, readText } from '../../electron/services/systemCpp';

const repo = path.resolve(import.meta.dirname, '../fixtures/repo');
const template = path.join(repo, 'examples/vmm/vmm.system');
const qemu: CppSettings = { defines: { BOARD_qemu_virt_aarch64: '1' }, includeDirs: [path.join(repo, 'include')] };
const config = kernelConfigFromLabel('aarch64 EL2 hyp, PA40, uniprocessor');
const has = (cmd: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd]).status === 0;
if (!(has('cpp') && has('make')) && process.env.CI === 'true') throw new Error('cpp and make are required in CI');

/** A copy of the fixture repository to break. */
function copyRepo(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tpl-'));
  cpSync(repo, dir, { recursive: true });
  return dir;
}

/** Both preprocessors: the system cpp (through the service) and the subset (the service's fallback). */
async function both(file: string, settings: CppSettings): Promise<[string, CompositeSource][]> {
  const real = await preprocessTemplate(file, settings);
  const subset = await preprocessTemplate(file, { ...settings, cpp: 'sel4-studio-no-such-cpp' });
  expect(real.by).toBe('system-cpp');
  expect(subset.by).toBe('subset');
  expect(real.diagnostics).toEqual([]);
  expect(subset.diagnostics).toEqual([]);
  return [
    ['system cpp', real.composite!],
    ['subset', subset.composite!],
  ];
}

describe.runIf(has('cpp') || process.env.CI === 'true')('cpp-templated system descriptions', () => {
  it('is told apart from plain XML', () => {
    expect(isCppTemplate(readFileSync(template, 'utf8'))).toBe(true);
    expect(isCppTemplate(readFileSync(path.join(repo, 'hamr/microkit/microkit.system'), 'utf8'))).toBe(false);
  });

  it('the system cpp, the subset and the Makefile (make + cpp -P) give the same model', async () => {
    const build = mkdtempSync(path.join(os.tmpdir(), 'tpl-build-'));
    execFileSync('make', ['-s', '-C', path.dirname(template), `BUILD_DIR=${build}`], { stdio: 'ignore' });
    const made = importSystem(readFileSync(path.join(build, 'vmm.system'), 'utf8'), 'vmm.system');
    expect(made.diagnostics).toEqual([]);
    expect(made.model!.memoryRegions.find((m) => m.name === 'guest_ram')).toMatchObject({ size: 0x10000000, physAddr: 0x40000000 });
    for (const [by, c] of await both(template, qemu)) {
      const r = importSystem(c.text, c.main);
      expect(r.diagnostics, by).toEqual([]);
      expect(r.model, by).toEqual(made.model);
      expect(checkSystem(c.text, c.main, config).ok, by).toBe(true);
    }
  });

  it('#if chooses the board through -D', async () => {
    for (const [by, c] of await both(template, { ...qemu, defines: { BOARD_odroidc4: '1' } })) {
      const m = importSystem(c.text, c.main).model!;
      expect(m.memoryRegions.find((r) => r.name === 'uart')?.physAddr, by).toBe(0xff803000);
      expect(m.protectionDomains[0]!.virtualMachine!.maps.find((x) => x.mr === 'gic_vcpu')?.vaddr, by).toBe(0xffc02000);
    }
  });

  it("problems are placed on the template's lines, with the tool's message", async () => {
    const dir = copyRepo();
    const file = path.join(dir, 'examples/vmm/vmm.system');
    writeFileSync(file, readFileSync(file, 'utf8').replace('<irq irq=UART_IRQ id="1" />', '<irq irq=UART_IRQ id="99" />'));
    const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('id="99"')) + 1;
    for (const [by, c] of await both(file, { ...qemu, includeDirs: [path.join(dir, 'include')] })) {
      const [first] = checkSystem(c.text, c.main, config).diagnostics.map((d) => placeDiagnostic(c, d));
      expect(first, by).toMatchObject({ file, line, column: 9, message: `Error: id must be < 62 on element 'irq': ${file}:${line}:9` });
    }
  });

  it("a well-formedness error is placed in the template, in roxmltree's words", async () => {
    const dir = copyRepo();
    const file = path.join(dir, 'examples/vmm/vmm.system');
    writeFileSync(file, readFileSync(file, 'utf8').replace('vaddr=GUEST_RAM_VADDR perms="rwx" />', 'vaddr=GUEST_RAM_VADDR perms="rwx", />'));
    const lines = readFileSync(file, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('"rwx",')) + 1;
    const column = lines[line - 1]!.indexOf(',') + 1;
    for (const [by, c] of await both(file, { ...qemu, includeDirs: [path.join(dir, 'include')] })) {
      const d = placeDiagnostic(c, checkSystem(c.text, c.main, config).diagnostics[0]!);
      expect(d, by).toMatchObject({ file, line, column, message: `Could not parse '${file}': expected a whitespace not ',' at ${line}:${column}` });
    }
  });

  it('edits of literal text go into the template; a macro expansion does not map', async () => {
    const text = readFileSync(template, 'utf8');
    for (const [by, c] of await both(template, qemu)) {
      const at = c.text.indexOf('priority="254"') + 'priority="'.length;
      const edit = mapEdit(c, { start: at, end: at + 3, text: '200' })!;
      expect(edit.file, by).toBe(template);
      const edited = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
      const again = templateFromSubset(template, qemu, (p) => (p === template ? edited : readText(p)));
      expect(importSystem(again.composite!.text).model!.protectionDomains[0]!.priority, by).toBe(200);
      const size = c.text.indexOf('"0x10000000"');
      expect(mapEdit(c, { start: size + 1, end: size + 11, text: '0x20000000' }), by).toBeUndefined();
      // …but its place is the macro's, in the template.
      expect(placeOf(c, size + 3), by).toMatchObject({ file: template, line: text.slice(0, text.indexOf('GUEST_RAM_SIZE')).split('\n').length });
    }
  });

  it('a failing #error is reported where it is, by both preprocessors', async () => {
    const real = await preprocessTemplate(template, { defines: {}, includeDirs: qemu.includeDirs });
    const subset = await preprocessTemplate(template, { defines: {}, includeDirs: qemu.includeDirs, cpp: 'sel4-studio-no-such-cpp' });
    const header = path.join(repo, 'include/vmm_ram.h');
    const line = readFileSync(header, 'utf8').split('\n').findIndex((l) => l.startsWith('#error')) + 1;
    for (const r of [real, subset]) {
      expect(r.composite).toBeUndefined();
      expect(r.diagnostics[0]).toMatchObject({ severity: 'error', rule: 'cpp', file: header, line });
      expect(r.diagnostics[0]!.message).toMatch(/#error "vmm_ram.h: no board selected/);
    }
  });

  it("the flags come from the template's Makefile", () => {
    expect(detectTemplateSettings(template)).toMatchObject({
      makefile: path.join(repo, 'examples/vmm/Makefile'),
      settings: { defines: { BOARD_qemu_virt_aarch64: '1' }, includeDirs: [path.join(repo, 'include')] },
      unresolved: [],
    });
  });
});

describe('a system cpp that runs away', () => {
  it('is stopped at the time limit or the output limit, with a diagnostic that says which', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tpl-cpp-'));
    const file = path.join(dir, 't.system');
    writeFileSync(file, '#define A x\n<system>A</system>\n');
    // Stand-ins for cpp that take too long and write too much (real processes, as cpp is one).
    const slow = path.join(dir, 'slow-cpp');
    writeFileSync(slow, '#!/bin/sh\nexec sleep 10\n', { mode: 0o755 });
    const loud = path.join(dir, 'loud-cpp');
    writeFileSync(loud, '#!/bin/sh\nexec yes xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n', { mode: 0o755 });
    const stopped = await preprocessTemplate(file, { defines: {}, includeDirs: [], cpp: slow, timeoutMs: 300 });
    expect(stopped.diagnostics).toEqual([{ severity: 'error', rule: 'cpp', file, message: 'cpp was stopped after 0.3 s (a macro that expands without bound?)' }]);
    const flooded = await preprocessTemplate(file, { defines: {}, includeDirs: [], cpp: loud, timeoutMs: 20_000 });
    expect(flooded.diagnostics).toEqual([{ severity: 'error', rule: 'cpp', file, message: 'cpp was stopped: its output passed 64 MiB (a macro that expands without bound?)' }]);
  }, 30_000);
});
