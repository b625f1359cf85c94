import { describe, expect, it } from 'vitest';
import {
  defaultFolderSettings,
  parseFolderSettings,
  serializeFolderSettings,
  settingsFromStudio,
  settingsWithStudio,
  studioSettingsChanged,
  studioViewOfSettings,
  studioWithSettings,
  type FolderSettings,
} from './folderSettings';
import { defaultStudioFile, parseStudioFile, serializeStudioFile, StudioFileSchema } from './project';

describe('folder settings', () => {
  it('round-trips through the file', () => {
    const s: FolderSettings = { ...defaultFolderSettings(), board: 'odroidc4', build: { config: 'release', variables: { MICROKIT_CONFIG: 'release' } }, lastOpenFile: 'examples/vmm/vmm.system', layouts: { 'examples/vmm/vmm.system': { nodes: { 'pd:vmm': { x: 1, y: 2 } } } } };
    expect(parseFolderSettings(serializeFolderSettings(s))).toEqual({ settings: s, diagnostics: [] });
  });

  it('reports broken JSON and bad values with their places', () => {
    const bad = parseFolderSettings('{\n  "schemaVersion": 1,\n  "build": { "variables": {} },,\n}\n');
    expect(bad.settings).toBeUndefined();
    expect(bad.diagnostics[0]).toMatchObject({ file: '.sel4-studio/settings.json', line: 3, column: 32 });
    expect(bad.diagnostics[0]!.message).toMatch(/^\.sel4-studio\/settings\.json is not valid JSON/);
    const wrong = parseFolderSettings('{\n  "schemaVersion": 1,\n  "layouts": {},\n  "build": {\n    "variables": { "1BAD": "x" }\n  }\n}\n');
    expect(wrong.diagnostics[0]).toMatchObject({ line: 5 });
    expect(wrong.diagnostics[0]!.message).toMatch(/build\.variables/);
  });

  it('stored build settings are read with the strict schemas: CMake text in the compiler or board is refused at its place', () => {
    const injected = 'aarch64-linux-gnu)\nexecute_process(COMMAND touch /tmp/pwned)\n#';
    const toolchain = parseFolderSettings(JSON.stringify({ schemaVersion: 1, layouts: {}, build: { variables: {}, toolchain: injected } }, null, 2));
    expect(toolchain.settings).toBeUndefined();
    expect(toolchain.diagnostics[0]).toMatchObject({ file: '.sel4-studio/settings.json', line: 6 });
    expect(toolchain.diagnostics[0]!.message).toMatch(/^build\.toolchain: /);
    const board = parseFolderSettings(JSON.stringify({ schemaVersion: 1, layouts: {}, board: 'x")\nexecute_process(COMMAND id)#', build: { variables: {} } }, null, 2));
    expect(board.diagnostics[0]!.message).toMatch(/^board: a board name is lower-case letters, digits and _/);
    // studio.json alike: the same schemas.
    const studio = JSON.parse(serializeStudioFile(defaultStudioFile('p'))) as { build: Record<string, string> };
    studio.build.toolchain = injected;
    const parsed = parseStudioFile(JSON.stringify(studio, null, 2));
    expect(parsed.studio).toBeUndefined();
    expect(parsed.diagnostics[0]!.message).toMatch(/^build\.toolchain: /);
  });

  it('refuses settings from a newer version and says the file is left alone', () => {
    const r = parseFolderSettings('{ "schemaVersion": 9 }');
    expect(r.settings).toBeUndefined();
    expect(r.diagnostics[0]!.message).toMatch(/newer seL4 Studio .*left untouched/);
  });

  it('a studio.json project reads as folder settings and back without loss', () => {
    const studio = { ...defaultStudioFile('Orin VM', 'orin_agx'), build: { config: 'release' as const, toolchain: 'clang' as const, sdkPath: '/opt/sdk' }, layout: { nodes: { 'pd:a': { x: 5, y: 6 } } } };
    const settings = settingsFromStudio(studio);
    expect(settings).toMatchObject({ board: 'orin_agx', lastOpenFile: 'orin_vm.system', build: { config: 'release', toolchain: 'clang', sdkPath: '/opt/sdk' }, layouts: { 'orin_vm.system': studio.layout } });
    expect(studioWithSettings(studio, settings)).toEqual(studio);
    // Settings written later win over studio.json.
    expect(studioWithSettings(studio, { ...settings, board: 'odroidc4' }).board).toBe('odroidc4');
  });

  it('a folder without settings gets a valid studio view; its systemFile is only a display name', () => {
    const view = studioViewOfSettings(defaultFolderSettings(), 'LionsOS', 'examples/kitty/board/odroidc4/kitty.system.in');
    expect(StudioFileSchema.safeParse(view).success).toBe(true);
    expect(view).toMatchObject({ name: 'LionsOS', board: 'qemu_virt_aarch64', systemFile: 'kitty.system', layout: { nodes: {} } });
    expect(studioViewOfSettings(defaultFolderSettings(), 'x', undefined).systemFile).toBe('system.system');
  });

  it('a save changes the settings only when board, build or layout changed', () => {
    const settings = defaultFolderSettings();
    const view = studioViewOfSettings(settings, 'sddf', 'examples/serial/serial.system');
    expect(studioSettingsChanged(view, { ...view })).toBe(false);
    const moved = { ...view, layout: { nodes: { 'pd:uart': { x: 10, y: 20 } } } };
    expect(studioSettingsChanged(view, moved)).toBe(true);
    const next = settingsWithStudio(settings, moved, 'examples/serial/serial.system');
    expect(next.layouts['examples/serial/serial.system']).toEqual(moved.layout);
    expect(studioViewOfSettings(next, 'sddf', 'examples/serial/serial.system').layout).toEqual(moved.layout);
    expect(studioSettingsChanged(view, { ...view, board: 'maaxboard' })).toBe(true);
  });
});
