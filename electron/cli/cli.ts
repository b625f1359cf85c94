import { STUDIO_VERSION } from '../services/startArgs';
import { runCommandLine } from './exit';

// Every command is loaded when it runs, so that one command loads only its own code: `dtc` reads and writes device
// trees without the .system schemas, the build pipeline or QEMU (the bundle stays one file; esbuild turns these into
// lazily run modules).

const HELP = `sel4-studio ${STUDIO_VERSION} — an IDE for seL4 Microkit systems

Usage:
  sel4-studio validate FILE... [--board NAME] [--config CONFIG] [--microkit VERSION] [--json]
                     [--cpp [-D NAME[=VALUE]]... [-I DIR]...] [--xinclude]
                                  check .system files as Microkit does (all errors, with places); exit 1 if any is invalid;
                                  --cpp: a cpp template (flags from its Makefile unless given), --xinclude: resolve XIncludes
  sel4-studio format FILE [-o OUT]
                                  re-indent a .system file (comments, blank-line groups, attribute order and values kept)
  sel4-studio edit FILE [--set 'ELEMENT[NAME]@ATTR=VALUE']... [--unset 'ELEMENT[NAME]@ATTR']... [--rename pd|mr|vm OLD NEW]... [-o OUT|-]
                                  change a .system file in place, touching only the bytes each change needs
  sel4-studio migrate FILE --to 2.3 [-o OUT]
                                  turn Microkit 1.x syntax into 2.x, reporting every change
  sel4-studio dtc [-I dts|dtb] [-O dtb|dts] [-o OUT] [-i DIR]... [-@] [--cpp] [-D NAME[=VALUE]]... IN
                                  compile or decompile a device tree, byte-identical to dtc (no dtc needed)
  sel4-studio fdtoverlay -i BASE.dtb -o OUT.dtb OVERLAY.dtbo...
                                  apply overlays as fdtoverlay does (the base needs __symbols__: dtc -@)
  sel4-studio dt query FILE (--path P | --label L | --compatible C) [--cpp] [-i DIR]... [--json]
                                  a device's addresses, interrupts (GIC INTIDs) and suppliers
  sel4-studio passthrough --board BOARD --device NAME... (--out DIR | --into FILE.system) [--dt FILE [--cpp] [-i DIR]...]
                     [--ram BASE:SIZE] [--ram-phys BASE] [--keep-hypervisor-windows] [--clocks keep|remove]
                     [--nic-route direct|path-b] [--fragment] [--kvm-extras]      (--list [QUERY] | --facts DEVICE: the devices)
                                  pass devices to a VM: a whole valid system (or the additions merged into FILE.system
                                  losslessly), the guest DT, the libvmm IRQ table and a report of every risk
  sel4-studio board from-dt FILE.dts|FILE.dtb --out DIR [--cpp] [-i DIR]... [--payload SIZE] [--link ADDR] [--ram BASE:SIZE]
                                  a board pack (DIR/board.json) from a device tree: RAM, GIC, timer, UARTs, PSCI, CPUs,
                                  PA bits and a loader link address with room for the payload; every fact with its source
  sel4-studio qemu --board qemu_virt_aarch64 (--image loader.img | --kernel FILE.elf|Image) [--expect TEXT] [--timeout S]
                     [--smp N] [--mem M] [--netdev user[,hostfwd=tcp::HOST-:GUEST]] [--device virtio-rng-device|…]
                     [--drive file=DISK.img] [--initrd FILE] [--append TEXT] [--gdb tcp::PORT] [--monitor SOCKET] [-- ARGS]
                                  boot in QEMU, print the serial output; --expect exits 0 when TEXT appears (for CI);
                                  machine options as the IDE's QEMU panel takes them (others refused, with why);
                                  --monitor: QEMU's full monitor on a unix socket (socat - UNIX-CONNECT:SOCKET)
  sel4-studio image add PATH... | image list | image remove PATH
                                  images the IDE's QEMU panel may boot from outside the project (kernels, initrds, disks)
  sel4-studio guest-kernel [--out DIR]
                                  Debian's arm64 kernel + busybox-static and a small initrd (a shell on ttyAMA0), for
                                  Linux guests in QEMU; prints each command it runs (needs: dpkg --add-architecture arm64)
  sel4-studio serial PORT|tcp://HOST:PORT|rfc2217://HOST:PORT [--baud N] [--framing 8N1] [--flow none|rtscts|xonxoff]
                     [--tcu] [--log FILE] [--enter cr|lf|crlf]
                                  a serial console (Ctrl-] quits); --tcu pads each Enter for the Jetson TCU
  sel4-studio new DIR [--template NAME] [--board B] [--name N]
                                  a project from a template (hello, shared-memory, sddf-serial, libvmm-linux, orin-agx-path-b)
  sel4-studio build [--project DIR] [--sdk PATH] [--config debug|release|benchmark] [--toolchain T] [--json]
                                  compile the PD programs, write the .system, run microkit; problems as file:line:col
  sel4-studio run-board --target NAME [--project DIR] [--no-build] [--power-off] [--stay]
                                  build if stale, deploy, power-cycle and boot a board target of the folder's settings;
                                  the console on stdout, exit 0 once booted (--set-token URL < token: a Home Assistant token)
  sel4-studio sdk add PATH | sdk list
                                  the Microkit SDKs you chose: the IDE builds with an SDK a folder's settings name only then
  sel4-studio trust DIR [--untrust] | sel4-studio trust --list
                                  trust a folder (the IDE then builds and runs it), stop trusting it, or list trusted folders
  sel4-studio doctor [--json]     list the tools seL4 Studio drives, with versions or how to install them
  sel4-studio --help              this text
  sel4-studio --version           the version

Start the IDE with \`npm start\` in the seL4 Studio folder (flags: --browser, --port N, --no-open, --project DIR).
`;

export async function run(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    out(HELP);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version') {
    out(`${STUDIO_VERSION}\n`);
    return 0;
  }
  const io = { out, err: (s: string) => process.stderr.write(s), here: __dirname };
  if (cmd === 'dtc' || cmd === 'dt' || cmd === 'fdtoverlay') return (await import('./dtCommands')).runDtCommand(cmd, rest, io);
  if (cmd === 'validate' || cmd === 'format' || cmd === 'migrate') return (await import('./sdfCommands')).runSdfCommand(cmd, rest, io);
  if (cmd === 'edit') return (await import('./editCommand')).runEdit(rest, io);
  // serialport's native addon costs tens of milliseconds: only `serial` loads it.
  if (cmd === 'serial') return (await import('./serialCommand')).runSerial(rest, io);
  // The commands that make temp folders first remove those a killed run of ours left behind.
  if (cmd === 'qemu' || cmd === 'new' || cmd === 'build' || cmd === 'run-board') await (await import('../services/tempDirs')).sweepStaleTempDirs();
  if (cmd === 'qemu') return (await import('./qemuCommand')).runQemu(rest, io);
  if (cmd === 'passthrough') return (await import('./passthroughCommand')).runPassthrough(rest, io);
  if (cmd === 'board') return (await import('./boardCommand')).runBoardCommand(rest, io);
  if (cmd === 'new' || cmd === 'build') return (await import('./buildCommands')).runBuildCommand(cmd, rest, io);
  if (cmd === 'run-board') return (await import('./runBoardCommand')).runBoardCommand(rest, io);
  if (cmd === 'image') return (await import('./imageCommand')).runImageCommand(rest, io);
  if (cmd === 'guest-kernel') return (await import('./guestKernelCommand')).runGuestKernelCommand(rest, io);
  if (cmd === 'sdk') return (await import('./sdkCommand')).runSdkCommand(rest, io);
  if (cmd === 'trust') return (await import('./trustCommand')).runTrustCommand(rest, io);
  if (cmd === 'doctor') {
    const unknown = rest.filter((a) => a !== '--json');
    if (unknown.length) {
      process.stderr.write(`sel4-studio doctor: unknown option ${unknown[0]}\n`);
      return 2;
    }
    const [{ runDoctor }, { formatDoctor }] = await Promise.all([import('../services/doctor'), import('./doctorReport')]);
    const tools = await runDoctor();
    out(rest.includes('--json') ? `${JSON.stringify(tools, null, 2)}\n` : formatDoctor(tools));
    return 0;
  }
  process.stderr.write(`sel4-studio: unknown command "${cmd}" (see sel4-studio --help)\n`);
  return 2;
}

/** Run as the `sel4-studio` command (./exit). */
export function runAndExit(argv: string[]): Promise<void> {
  return runCommandLine(run, argv);
}

if (process.argv[1] && /cli\.(c?js|ts)$/.test(process.argv[1])) void runAndExit(process.argv.slice(2));
