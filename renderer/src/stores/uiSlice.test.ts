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
