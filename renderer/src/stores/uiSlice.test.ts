import { describe, expect, it } from 'vitest';
import { createStudioStore } from './studioStore';
import { createFakeClient } from './testing/fakeClient';

describe('UI slice', () => {
  it('panel, centre view, dialog, notice and presentation are plain view state', () => {
    const store = createStudioStore(createFakeClient());
    const a = store.actions;
    expect(store.getState()).toMatchObject({ panel: 'problems', centerView: 'graph', theme: 'dark', presentation: false });
    a.setPanel('terminal');
    a.setCenterView('memory');
    a.setTheme('light');
    a.openDialog('saveAs');
    a.notify({ kind: 'info', message: 'hello' });
    a.setPresentation(true);
    expect(store.getState()).toMatchObject({ panel: 'terminal', centerView: 'memory', theme: 'light', dialog: 'saveAs', notice: { kind: 'info', message: 'hello' }, presentation: true });
    a.dismissNotice();
    a.openDialog(undefined);
    expect(store.getState().notice).toBeUndefined();
    expect(store.getState().dialog).toBeUndefined();
    store.dispose();
  });
});

describe('the New dialog', () => {
  it('opens with a clean choice each time: no template and the default board, whatever was chosen last', () => {
    const store = createStudioStore(createFakeClient());
    const a = store.actions;
    store.setState({ templates: [{ id: 'orin-agx-path-b', title: 'AGX Orin network, Path B', description: 'x', board: 'orin_agx', file: 'orin-agx-path-b.system', sources: 'orin-agx-path-b' }] });
    a.openDialog('new');
    expect(store.getState().projectForm).toEqual({ dir: '', name: '', board: 'qemu_virt_aarch64', template: '' });
    a.editProjectForm({ dir: '/tmp/net', name: 'net' });
    // A template brings its board with it.
    a.editProjectForm({ template: 'orin-agx-path-b' });
    expect(store.getState().projectForm).toEqual({ dir: '/tmp/net', name: 'net', board: 'orin_agx', template: 'orin-agx-path-b' });
    a.openDialog(undefined);
    // The next project is hand-drawn: nothing of the Orin choice is left over.
    a.openDialog('new');
    expect(store.getState().projectForm).toEqual({ dir: '', name: '', board: 'qemu_virt_aarch64', template: '' });
    // Back to the empty system: the board the user chose stays.
    a.editProjectForm({ board: 'zcu102' });
    a.editProjectForm({ template: '' });
    expect(store.getState().projectForm.board).toBe('zcu102');
    store.dispose();
  });
});
