import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../shared/api/errors';
import { isInside } from './paths';

export { isInside };

/**
 * Resolve `rel` inside `root`, refusing anything that leaves it: `..`, absolute paths, NUL bytes, and symbolic
 * links whose target is outside (checked on the deepest existing ancestor, so new files are covered too, and through
 * links whose target does not exist yet, which a file opened for writing would create).
 */
export function confine(root: string, rel: string): string {
  if (rel.includes('\0')) throw new StudioError('forbidden', 'path contains a NUL byte');
  if (path.isAbsolute(rel) || /^[a-zA-Z]:[\\/]/.test(rel)) throw new StudioError('forbidden', `absolute paths are not allowed: ${rel}`);
  const realRoot = realpathSync(root);
  const target = path.resolve(realRoot, rel);
  if (!isInside(realRoot, target)) throw new StudioError('forbidden', `path leaves the project: ${rel}`);
  let probe = target;
  let full = target;
  for (let links = 0; ; ) {
    try {
      const real = realpathSync(probe);
      if (!isInside(realRoot, real)) throw new StudioError('forbidden', `path leaves the project through a link: ${rel}`);
      break;
    } catch (err) {
      if (err instanceof StudioError) throw err;
      // A link whose target does not exist (yet): a file opened through it (a log, a trace) is created where it points.
      const pointsTo = danglingLink(probe);
      if (pointsTo !== undefined) {
        if (++links > 40) throw new StudioError('forbidden', `path goes through too many links: ${rel}`);
        full = path.join(path.resolve(realpathSync(path.dirname(probe)), pointsTo), path.relative(probe, full));
        if (!isInside(realRoot, full)) throw new StudioError('forbidden', `path leaves the project through a link: ${rel}`);
        probe = full;
        continue;
      }
      const parent = path.dirname(probe);
      if (parent === probe) break;
      probe = parent;
    }
  }
  return target;
}

/** Where a symbolic link points, if `p` is one. */
function danglingLink(p: string): string | undefined {
  try {
    return lstatSync(p).isSymbolicLink() ? readlinkSync(p) : undefined;
  } catch {
    return undefined;
  }
}
