import { describe, expect, it } from 'vitest';
import { defaultStudioFile, parseStudioFile, serializeStudioFile, STUDIO_SCHEMA_VERSION } from './project';

describe('studio.json', () => {
  it('round-trips the current schema', () => {
    const s = defaultStudioFile('My Orin VM', 'orin_agx');
    expect(s.systemFile).toBe('my_orin_vm.system');
    const parsed = parseStudioFile(serializeStudioFile(s));
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.studio).toEqual(s);
  });

  it('migrates schema 1 and reports every change', () => {
    const v1 = JSON.stringify({
      schemaVersion: 1,
      name: 'old',
      board: 'qemu_virt_aarch64',
      microkitVersion: '2.2',
      systemFile: 'old.system',
      positions: { 'pd:a': { x: 1, y: 2 } },
    });
    const parsed = parseStudioFile(v1);
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.studio?.schemaVersion).toBe(STUDIO_SCHEMA_VERSION);
    expect(parsed.studio?.layout.nodes['pd:a']).toEqual({ x: 1, y: 2 });
    expect(parsed.studio?.build.config).toBe('debug');
    expect(parsed.migrated).toHaveLength(2);
  });

  it('refuses a newer schema with a clear message at the schemaVersion line', () => {
    const text = '{\n  "name": "x",\n  "schemaVersion": 99\n}';
    const parsed = parseStudioFile(text);
    expect(parsed.studio).toBeUndefined();
    expect(parsed.diagnostics[0]).toMatchObject({ line: 3, column: 3 });
    expect(parsed.diagnostics[0]!.message).toMatch(/newer seL4 Studio .*schema 99.*reads up to 2/);
  });

  it('reports malformed JSON with line and column', () => {
    const parsed = parseStudioFile('{\n  "schemaVersion": 2,\n  "name": \n}');
    expect(parsed.studio).toBeUndefined();
    expect(parsed.diagnostics[0]!.line).toBe(4);
    expect(parsed.diagnostics[0]!.message).toMatch(/not valid JSON/);
  });

  it('reports schema errors at the offending key', () => {
    const s = { ...defaultStudioFile('p'), systemFile: '../../etc/passwd' };
    const text = JSON.stringify(s, null, 2);
    const parsed = parseStudioFile(text);
    expect(parsed.studio).toBeUndefined();
    const line = text.split('\n').findIndex((l) => l.includes('"systemFile"')) + 1;
    expect(parsed.diagnostics[0]).toMatchObject({ line });
    expect(parsed.diagnostics[0]!.message).toMatch(/systemFile/);
  });
});
