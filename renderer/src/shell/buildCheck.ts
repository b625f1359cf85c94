import type { StudioStore } from '../stores/studioStore';

/**
 * Ctrl+Shift+B until the build pipeline lands: the first step of that pipeline — validate the system and write the
 * .system file (by saving) — with the result in Problems.
 */
export async function buildCheck(actions: StudioStore['actions']) {
  const ok = await actions.save();
  actions.setPanel('problems');
  if (ok) actions.notify({ kind: 'info', message: 'System validated and written; see Problems for anything to fix.' });
}
