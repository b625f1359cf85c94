/**
 * The tools the doctor checks, as data: the services look each one up on PATH (electron/services/doctor.ts); the
 * Doctor tab and the status bar show one row per id here plus the Microkit SDK row, so tests derive counts from
 * this list instead of repeating them.
 */
export interface ToolSpec {
  id: string;
  label: string;
  purpose: string;
  /** Executable names tried in order. */
  commands: string[];
  versionArgs: string[];
  hint: string;
  required: boolean;
}

/** The tools seL4 Studio drives. Hints name Debian packages where Debian has one. */
export const TOOLS: ToolSpec[] = [
  { id: 'qemu-system-aarch64', label: 'QEMU (AArch64)', purpose: 'emulate qemu_virt_aarch64 systems', commands: ['qemu-system-aarch64'], versionArgs: ['--version'], hint: 'apt-get install qemu-system-arm', required: false },
  { id: 'aarch64-none-elf-gcc', label: 'GCC aarch64-none-elf', purpose: 'compile PD programs (the Microkit default)', commands: ['aarch64-none-elf-gcc'], versionArgs: ['--version'], hint: "install the Arm GNU Toolchain (aarch64-none-elf) and put its bin/ on PATH, or use aarch64-linux-gnu-gcc", required: false },
  { id: 'aarch64-linux-gnu-gcc', label: 'GCC aarch64-linux-gnu', purpose: 'compile PD programs (Debian cross compiler)', commands: ['aarch64-linux-gnu-gcc'], versionArgs: ['--version'], hint: 'apt-get install gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu', required: false },
  { id: 'clang', label: 'Clang', purpose: 'compile PD programs with --target=aarch64-none-elf', commands: ['clang'], versionArgs: ['--version'], hint: 'apt-get install clang lld', required: false },
  { id: 'cmake', label: 'CMake', purpose: 'configure PD program builds', commands: ['cmake'], versionArgs: ['--version'], hint: 'apt-get install cmake', required: false },
  { id: 'ninja', label: 'Ninja', purpose: 'run CMake builds', commands: ['ninja'], versionArgs: ['--version'], hint: 'apt-get install ninja-build', required: false },
  { id: 'make', label: 'GNU Make', purpose: 'build libvmm/sDDF-style Makefile projects', commands: ['make'], versionArgs: ['--version'], hint: 'apt-get install make', required: false },
  { id: 'dtc', label: 'Device tree compiler', purpose: 'check device trees against the reference compiler', commands: ['dtc'], versionArgs: ['--version'], hint: 'apt-get install device-tree-compiler', required: false },
];

/** The Microkit SDK's row: not a command on PATH but a folder (`$MICROKIT_SDK` or `~/microkit-sdk-*`). */
export const MICROKIT_SDK = { id: 'microkit-sdk', label: 'Microkit SDK' } as const;

/** Every row the doctor reports, in its order. */
export const DOCTOR_ROW_IDS: readonly string[] = [...TOOLS.map((t) => t.id), MICROKIT_SDK.id];
