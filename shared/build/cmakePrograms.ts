/**
 * The program of a PD in the project's CMakeLists.txt, edited as text: a line appended (never a rewrite), a line's
 * image and source renamed in place. Everything else of the user's file stays byte for byte.
 */

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A new CMakeLists.txt like the templates' for a project that has none. */
export function newCmakeLists(projectName: string): string {
  const name = projectName.replace(/[^A-Za-z0-9_]/g, '_') || 'system';
  return [
    '# PD programs of the system: one ELF per protection domain, named as its <program_image>.',
    "# seL4 Studio configures this with a toolchain file made from the project's build settings (SDK, board, config,",
    "# compiler): the SDK's include and lib paths, its compile flags, and ld with -lmicrokit -Tmicrokit.ld.",
    'cmake_minimum_required(VERSION 3.16)',
    `project(${/^[0-9]/.test(name) ? `p${name}` : name} C)`,
    '',
  ].join('\n');
}

/** `add_executable(<image> …)` calls of a CMakeLists text (not in comments), with their offsets. */
function addExecutables(text: string, image?: string): RegExpExecArray[] {
  const re = new RegExp(`^([ \\t]*add_executable\\s*\\(\\s*)(${image ? escapeRe(image) : '[^\\s)]+'})(?=[\\s)])([^)]*)\\)`, 'gim');
  return [...text.matchAll(re)];
}

/** Whether the CMakeLists text already builds `image`. */
export const cmakeHasProgram = (text: string, image: string) => addExecutables(text, image).length > 0;

/** The text with `add_executable(<image> <source>)` appended (unchanged when the image is built already). */
export function cmakeWithProgram(text: string, image: string, source: string): string {
  if (cmakeHasProgram(text, image)) return text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const sep = text === '' || text.endsWith('\n') ? '' : eol;
  return `${text}${sep}add_executable(${image} ${source})${eol}`;
}

/**
 * The text with the program `from` renamed to `to`: the image of its `add_executable` and, among its sources, the
 * file `from.source` (other sources and the rest of the line as they were). Undefined when no line builds `from.image`.
 */
export function cmakeRenameProgram(text: string, from: { image: string; source: string }, to: { image: string; source: string }): string | undefined {
  const [m] = addExecutables(text, from.image);
  if (!m) return undefined;
  const rest = m[3]!.replace(new RegExp(`(^|\\s)${escapeRe(from.source)}(?=\\s|$)`), `$1${to.source}`);
  const start = m.index;
  return `${text.slice(0, start)}${m[1]}${to.image}${rest})${text.slice(start + m[0].length)}`;
}
