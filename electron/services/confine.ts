import { realpathSync } from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../shared/api/errors';
import { isInside } from './paths';

export { isInside };

/**
 * Resolve `rel` inside `root`, refusing anything that leaves it: `..`, absolute paths, NUL bytes, and symbolic
 * links whose target is outside (checked on the deepest existing ancestor, so new files are covered too).
 */
export function confine(root: string, rel: string): string {
  if (rel.includes('\0')) throw new StudioError('forbidden', 'path contains a NUL byte');
  if (path.isAbsolute(rel) || /^[a-zA-Z]:[\\/]/.test(rel)) throw new StudioError('forbidden', `absolute paths are not allowed: ${rel}`);
  const realRoot = realpathSync(root);
  const target = path.resolve(realRoot, rel);
  if (!isInside(realRoot, target)) throw new StudioError('forbidden', `path leaves the project: ${rel}`);
  let probe = target;
  for (;;) {
    try {
      const real = realpathSync(probe);
      if (!isInside(realRoot, real)) throw new StudioError('forbidden', `path leaves the project through a link: ${rel}`);
      break;
    } catch (err) {
      if (err instanceof StudioError) throw err;
      const parent = path.dirname(probe);
      if (parent === probe) break;
      probe = parent;
    }
  }
  return target;
}
