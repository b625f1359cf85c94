/**
 * The build of a project as data: which steps run, with which argv, in which directory. Pure: the build service
 * (electron/services/build.ts) runs it, the CLI prints it. Flags and lines follow the Microkit SDK's own example build
 * (recorded/microkit/make-hello-2.0.1.txt):
 *   gcc -c -mstrict-align -nostdlib -ffreestanding -g -O3 -Wall -Wno-unused-function -Werror -I$SDK/board/B/C/include
 *   ld -L$SDK/board/B/C/lib hello.o -lmicrokit -Tmicrokit.ld -o hello.elf
 *   microkit hello.system --search-path build --board B --config C -o build/loader.img -r build/report.txt
 */
import { makeAssignment } from './makefile';

export const TOOLCHAINS = ['aarch64-none-elf', 'aarch64-linux-gnu', 'clang'] as const;
export type Toolchain = (typeof TOOLCHAINS)[number];

export interface BuildSettings {
  sdk: string;
  board: string;
  config: string;
  toolchain: Toolchain;
}

export type StepId = 'configure' | 'compile' | 'export' | 'microkit';

export interface BuildStep {
  id: StepId;
  label: string;
  /** argv; empty for a step the service does itself (export). */
  argv: string[];
  /** Relative to the project. */
  cwd: string;
}

/** Where everything the build writes goes, relative to the project. */
export const BUILD_DIR = 'build';
export const TOOLCHAIN_FILE = `${BUILD_DIR}/sel4-studio-toolchain.cmake`;

export const boardDir = (s: BuildSettings) => `${s.sdk}/board/${s.board}/${s.config}`;

export const BUILD_CONFIGS = ['debug', 'release', 'benchmark'] as const;
/** A board name as the SDK's board/ folders and the board packs spell it. */
export const BOARD_NAME = /^[a-z0-9_]{1,64}$/;
/**
 * What an SDK path may hold to be written into the generated toolchain file, passed to make and run in the link rule
 * (which a shell runs): letters, digits, space and `_ . / + - @ ~ , : =`. No quote, `$`, backtick, backslash or
 * control character: each of those has a meaning to CMake, make, Ninja or the shell.
 */
const SAFE_SDK_PATH = /^\/[\p{L}\p{N} _./+\-@~,:=]*$/u;

/**
 * Why these settings cannot go into a build, or undefined. Every value that reaches generated CMake text or a make
 * command line passes here first: they may come from a settings file in the folder, not only from the UI's menus.
 */
export function buildSettingsProblem(s: BuildSettings): string | undefined {
  if (!TOOLCHAINS.includes(s.toolchain)) return `the compiler setting ${JSON.stringify(s.toolchain).slice(0, 80)} is not one of ${TOOLCHAINS.join(', ')}`;
  if (!BOARD_NAME.test(s.board)) return `the board ${JSON.stringify(s.board).slice(0, 80)} is not a board name (lower-case letters, digits and _)`;
  if (!(BUILD_CONFIGS as readonly string[]).includes(s.config)) return `the configuration ${JSON.stringify(s.config).slice(0, 80)} is not one of ${BUILD_CONFIGS.join(', ')}`;
  if (!SAFE_SDK_PATH.test(s.sdk)) return `the SDK path ${JSON.stringify(s.sdk).slice(0, 200)} cannot be passed to CMake, make and the shell safely (it must be absolute, with letters, digits, spaces and _ . / + - @ ~ , : = only): move or link the SDK to a plain path`;
  return undefined;
}

function checkSettings(s: BuildSettings): void {
  const problem = buildSettingsProblem(s);
  if (problem) throw new Error(problem);
}

/** The compile flags of the SDK's example Makefiles. */
export const CFLAGS = ['-mstrict-align', '-nostdlib', '-ffreestanding', '-g', '-O3', '-Wall', '-Wno-unused-function', '-Werror'];

/** Text inside a CMake quoted argument: backslashes as slashes, quotes and `$` escaped (no variable expansion). */
const cmakeEscape = (s: string) => s.replace(/\\/g, '/').replace(/(["$])/g, '\\$1');
const cmakeQuote = (s: string) => `"${cmakeEscape(s)}"`;

/**
 * A CMake toolchain file for PD programs: the cross compiler, the SDK's include and lib paths for the board and
 * configuration, and executables linked the way the SDK links them (ld, -lmicrokit, -Tmicrokit.ld).
 */
export function cmakeToolchainFile(s: BuildSettings): string {
  checkSettings(s);
  const cc = s.toolchain === 'clang' ? 'clang' : `${s.toolchain}-gcc`;
  const ld = s.toolchain === 'clang' ? 'ld.lld' : `${s.toolchain}-ld`;
  const target = s.toolchain === 'clang' ? ' --target=aarch64-none-elf' : '';
  const dir = boardDir(s);
  return [
    '# Written by seL4 Studio from the project build settings; regenerated on every build. Do not edit.',
    'set(CMAKE_SYSTEM_NAME Generic)',
    'set(CMAKE_SYSTEM_PROCESSOR aarch64)',
    `set(CMAKE_C_COMPILER ${cc})`,
    `set(CMAKE_ASM_COMPILER ${cc})`,
    `set(CMAKE_LINKER ${ld})`,
    'set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)',
    `set(MICROKIT_SDK ${cmakeQuote(s.sdk)} CACHE PATH "Microkit SDK")`,
    `set(MICROKIT_BOARD ${cmakeQuote(s.board)} CACHE STRING "Microkit board")`,
    `set(MICROKIT_CONFIG ${cmakeQuote(s.config)} CACHE STRING "Microkit configuration")`,
    `set(CMAKE_C_FLAGS_INIT "${CFLAGS.join(' ')}${target}")`,
    `set(CMAKE_ASM_FLAGS_INIT "${target.trim()}")`,
    `include_directories(SYSTEM ${cmakeQuote(`${dir}/include`)})`,
    // The SDK's link line: ld directly, the board's libmicrokit and its linker script.
    // (the lib folder quoted inside the rule, so an SDK under a path with spaces links too)
    `set(CMAKE_C_LINK_EXECUTABLE "<CMAKE_LINKER> \\"-L${cmakeEscape(`${dir}/lib`)}\\" <LINK_FLAGS> <OBJECTS> <LINK_LIBRARIES> -lmicrokit -Tmicrokit.ld -o <TARGET>")`,
    '',
  ].join('\n');
}

/**
 * `cmake`/`make`: seL4 Studio compiles the PD programs (its toolchain file, or a Makefile that only compiles them), then
 * writes the .system and runs Microkit. `repo`: the repository's own Makefile makes the image itself (sDDF, libvmm,
 * LionsOS examples), so the build is `make` with the settings and the Makefile's variables, and nothing after it.
 */
export type ProjectKind = 'cmake' | 'make' | 'repo' | 'none';

/** The Microkit tool's argv: the system file comes before --search-path, which swallows what follows it. */
export function microkitArgv(s: BuildSettings, systemFile: string): string[] {
  // A file named like an option is passed as a path.
  return [`${s.sdk}/bin/microkit`, systemFile.startsWith('-') ? `./${systemFile}` : systemFile, '--search-path', BUILD_DIR, '--board', s.board, '--config', s.config, '-o', `${BUILD_DIR}/loader.img`, '-r', `${BUILD_DIR}/report.txt`];
}

/** The steps of a build: compile the PD programs (CMake, or an existing Makefile), export the .system, run Microkit. */
export function planBuild(kind: ProjectKind, s: BuildSettings, systemFile: string): BuildStep[] {
  checkSettings(s);
  const steps: BuildStep[] = [];
  if (kind === 'cmake') {
    steps.push({ id: 'configure', label: 'Configure (CMake)', argv: ['cmake', '-S', '.', '-B', BUILD_DIR, '-G', 'Ninja', `-DCMAKE_TOOLCHAIN_FILE=${TOOLCHAIN_FILE}`], cwd: '.' });
    steps.push({ id: 'compile', label: 'Compile PD programs', argv: ['cmake', '--build', BUILD_DIR], cwd: '.' });
  } else if (kind === 'make') {
    // libvmm and sDDF examples are driven this way.
    steps.push({ id: 'compile', label: 'Compile PD programs (make)', argv: ['make', `BUILD_DIR=${BUILD_DIR}`, `MICROKIT_SDK=${s.sdk}`, `MICROKIT_BOARD=${s.board}`, `MICROKIT_CONFIG=${s.config}`, `TOOLCHAIN=${s.toolchain === 'clang' ? 'clang' : s.toolchain}`], cwd: '.' });
  }
  steps.push({ id: 'export', label: `Write ${systemFile}`, argv: [], cwd: '.' });
  steps.push({ id: 'microkit', label: 'Build the image (microkit)', argv: microkitArgv(s, systemFile), cwd: '.' });
  return steps;
}

/**
 * `make [target] MICROKIT_SDK= MICROKIT_BOARD= MICROKIT_CONFIG= NAME=value…` for a repository's own Makefile. The
 * variables must have passed `makeVariableProblem` (shared/build/makefile.ts); `$` is doubled all the same.
 */
export function repoMakeArgv(s: Pick<BuildSettings, 'sdk' | 'board' | 'config'>, variables: Record<string, string>, target?: string): string[] {
  checkSettings({ ...s, toolchain: 'aarch64-linux-gnu' });
  if (target !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(target)) throw new Error(`${JSON.stringify(target).slice(0, 80)} is not a make target name`);
  return ['make', ...(target ? [target] : []), `MICROKIT_SDK=${s.sdk}`, `MICROKIT_BOARD=${s.board}`, `MICROKIT_CONFIG=${s.config}`, ...Object.entries(variables).map(([k, v]) => makeAssignment(k, v))];
}

/** The repository's build: its Makefile makes the image (found afterwards under its build folder). */
export function planRepoBuild(s: Pick<BuildSettings, 'sdk' | 'board' | 'config'>, variables: Record<string, string>): BuildStep[] {
  return [{ id: 'compile', label: "Build with the repository's Makefile (make)", argv: repoMakeArgv(s, variables), cwd: '.' }];
}

/** `$SDK/board/<board>/<config>` directories an SDK has: its boards and each board's configurations. */
export interface SdkInfo {
  path: string;
  version: string;
  boards: Record<string, string[]>;
}
