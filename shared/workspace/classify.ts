/**
 * What kind of file a path in an opened folder is, for the Explorer (`workspace.files`). Most kinds follow from the
 * name; a system description's flavour needs a look at its first bytes, which the host reads and passes in.
 */
export const WORKSPACE_FILE_KINDS = ['system', 'system-template', 'system-xinclude', 'source', 'build', 'devicetree'] as const;
export type WorkspaceFileKind = (typeof WORKSPACE_FILE_KINDS)[number];

/** How many leading bytes of a system candidate the host reads to tell plain XML from a template or XInclude. */
export const SNIFF_BYTES = 1024;

/** `hello.system`, and templates named after what they become: `vmm.system.in`, `net.system.cpp`. */
const SYSTEM_NAME = /\.system(\.[A-Za-z0-9_-]+)?$/;
/** Copies editors and patch tools leave beside a file are not system descriptions. */
const BACKUP_SUFFIX = /\.(bak|orig|rej|swp|tmp)$|~$/;
/** HAMR-style generated systems keep the root in `.xml` files and pull parts in with XInclude. */
const XML_NAME = /\.xml$/;
const BUILD_NAME = /^(Makefile|GNUmakefile|makefile|CMakeLists\.txt|build\.zig|Cargo\.toml)$|\.(mk|cmake)$/;
const DEVICETREE_NAME = /\.(dts|dtsi|dtb|dtbo|dtso|overlay)$/;
const SOURCE_NAME = /\.(c|h|S|s|cc|cpp|cxx|hh|hpp|rs|zig|ld|lds)$/;

/**
 * The kind of a file by its base name alone: a final kind, `'sniff'` when its content decides (a system candidate),
 * or undefined when the Explorer does not list it.
 */
export function kindFromName(name: string): WorkspaceFileKind | 'sniff' | undefined {
  if (BACKUP_SUFFIX.test(name)) return undefined;
  if (SYSTEM_NAME.test(name) || XML_NAME.test(name)) return 'sniff';
  if (BUILD_NAME.test(name)) return 'build';
  if (DEVICETREE_NAME.test(name)) return 'devicetree';
  if (SOURCE_NAME.test(name)) return 'source';
  return undefined;
}

/**
 * A preprocessor directive at the start of a line: LionsOS runs cpp over its `.system` files, which are not XML until
 * then (reference/microkit-sdf.md §8.1). `#if` covers `#ifdef`/`#ifndef`.
 */
const CPP_DIRECTIVE = /^[ \t]*#[ \t]*(include|define|if|undef)/m;
const XINCLUDE = /<xi:include\b/;
const SYSTEM_ROOT = /<system[\s>]/;

/**
 * The kind of a system candidate from its name and the first {@link SNIFF_BYTES} of its text; undefined for an
 * `.xml` file that is not a system description (only XInclude roots holding `<system>` are listed).
 */
export function classifySystemHead(name: string, head: string): WorkspaceFileKind | undefined {
  const text = head.slice(0, SNIFF_BYTES);
  if (XML_NAME.test(name)) return XINCLUDE.test(text) && SYSTEM_ROOT.test(text) ? 'system-xinclude' : undefined;
  if (CPP_DIRECTIVE.test(text)) return 'system-template';
  if (XINCLUDE.test(text)) return 'system-xinclude';
  return 'system';
}

/** How many leading bytes of a device tree the host reads to tell an overlay from a base tree (licence headers first). */
export const DT_SNIFF_BYTES = 4096;

/** Overlays by name: a compiled overlay (`.dtbo`), its source (`.dtso`), Zephyr-style `.overlay`. */
const OVERLAY_NAME = /\.(dtbo|dtso|overlay)$/;
/** The DTS directive that makes a tree an overlay (dtc: `/plugin/;` after `/dts-v1/;`). */
const PLUGIN = /\/plugin\/\s*;/;
/**
 * A compiled overlay's first nodes, `fragment@N` with an `__overlay__` child, as node names in the structure block:
 * after the FDT_BEGIN_NODE token (00 00 00 01), NUL-terminated.
 */
// eslint-disable-next-line no-control-regex -- the token bytes of a binary structure block
const DTB_OVERLAY = /\0\0\0\x01(fragment@\d+|__overlay__)\0/;

/**
 * Whether a device tree is an overlay, from its name and first {@link DT_SNIFF_BYTES} (read as latin1 for a DTB):
 * an overlay changes nodes of a base tree it is applied to, so it has no devices of its own and cannot be loaded
 * alone. `.dtsi` files are parts of a tree and never asked about.
 */
export function isDeviceTreeOverlay(name: string, head: string): boolean {
  if (OVERLAY_NAME.test(name)) return true;
  const text = head.slice(0, DT_SNIFF_BYTES);
  if (/\.dtb$/.test(name)) return DTB_OVERLAY.test(text);
  // Comments may mention /plugin/; only code counts.
  return PLUGIN.test(text.replace(/\/\*[\s\S]*?(\*\/|$)/g, ' ').replace(/\/\/[^\n]*/g, ''));
}

/** Device trees whose head decides whether they are overlays (base-tree candidates; `.dtsi` are parts). */
export const sniffsDeviceTree = (name: string) => /\.(dts|dtb)$/.test(name);

/** True for the three system kinds: the files the graph editor opens. */
export function isSystemKind(kind: WorkspaceFileKind): boolean {
  return kind === 'system' || kind === 'system-template' || kind === 'system-xinclude';
}
