import { formatDoctor } from './doctorReport';
import { runSdfCommand } from './sdfCommands';
import { runDtCommand } from './dtCommands';
import { runPassthrough } from './passthroughCommand';
import { runQemu } from './qemuCommand';
import { runBuildCommand } from './buildCommands';
import { runDoctor } from '../services/doctor';
import { sweepStaleTempDirs } from '../services/tempDirs';
import { STUDIO_VERSION } from '../services/startArgs';

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
  sel4-studio qemu --board qemu_virt_aarch64 (--image loader.img | --kernel FILE.elf) [--expect TEXT] [--timeout S]
                     [--monitor SOCKET] [-- ARGS]
                                  boot in QEMU, print the serial output; --expect exits 0 when TEXT appears (for CI);
                                  --monitor: QEMU's full monitor on a unix socket (socat - UNIX-CONNECT:SOCKET)
  sel4-studio serial PORT|tcp://HOST:PORT|rfc2217://HOST:PORT [--baud N] [--framing 8N1] [--flow none|rtscts|xonxoff]
                     [--tcu] [--log FILE] [--enter cr|lf|crlf]
                                  a serial console (Ctrl-] quits); --tcu pads each Enter for the Jetson TCU
  sel4-studio new DIR [--template NAME] [--board B] [--name N]
                                  a project from a template (hello, shared-memory, sddf-serial, libvmm-linux, orin-agx-path-b)
  sel4-studio build [--project DIR] [--sdk PATH] [--config debug|release|benchmark] [--toolchain T] [--json]
                                  compile the PD programs, write the .system, run microkit; problems as file:line:col
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
  if (cmd === 'validate' || cmd === 'format' || cmd === 'migrate') {
    return runSdfCommand(cmd, rest, { out, err: (s) => process.stderr.write(s), here: __dirname });
  }
  if (cmd === 'edit') return (await import('./editCommand')).runEdit(rest, { out, err: (s) => process.stderr.write(s), here: __dirname });
  // Loaded on demand: serialport's native addon costs tens of milliseconds at every start otherwise.
  if (cmd === 'serial') return (await import('./serialCommand')).runSerial(rest, { out, err: (s) => process.stderr.write(s), here: __dirname });
  // The commands that make temp folders first remove those a killed run of ours left behind.
  if (cmd === 'qemu' || cmd === 'new' || cmd === 'build') await sweepStaleTempDirs();
  if (cmd === 'qemu') return runQemu(rest, { out, err: (s) => process.stderr.write(s), here: __dirname });
  if (cmd === 'passthrough') return runPassthrough(rest, { out, err: (s) => process.stderr.write(s), here: __dirname });
  if (cmd === 'dtc' || cmd === 'dt' || cmd === 'fdtoverlay') return runDtCommand(cmd, rest, { out, err: (s) => process.stderr.write(s), here: __dirname });
  if (cmd === 'new' || cmd === 'build') return runBuildCommand(cmd, rest, { out, err: (s) => process.stderr.write(s), here: __dirname });
  if (cmd === 'sdk') return (await import('./sdkCommand')).runSdkCommand(rest, { out, err: (s) => process.stderr.write(s), here: __dirname });
  if (cmd === 'trust') return (await import('./trustCommand')).runTrustCommand(rest, { out, err: (s) => process.stderr.write(s), here: __dirname });
  if (cmd === 'doctor') {
    const unknown = rest.filter((a) => a !== '--json');
    if (unknown.length) {
      process.stderr.write(`sel4-studio doctor: unknown option ${unknown[0]}\n`);
      return 2;
    }
    const tools = await runDoctor();
    out(rest.includes('--json') ? `${JSON.stringify(tools, null, 2)}\n` : formatDoctor(tools));
    return 0;
  }
  process.stderr.write(`sel4-studio: unknown command "${cmd}" (see sel4-studio --help)\n`);
  return 2;
}

/**
 * Run as the `sel4-studio` command: quiet when the reader goes away (`| head` closes the pipe: EPIPE is the reader's
 * choice, not our error, so no stack trace), and exit only once stdout and stderr have handed every byte to the OS —
 * process.exit() drops what is still queued for a pipe, which cut `validate --json` at 64 KiB.
 */
export async function runAndExit(argv: string[]): Promise<void> {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw e;
    });
  }
  const code = await run(argv);
  process.exitCode = code;
  let open = 2;
  const flushed = () => {
    if (--open === 0) process.exit(code);
  };
  // A write's callback runs once everything written before it has gone out (or failed), so this waits for the queue.
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.writable) stream.write('', flushed);
    else flushed();
  }
}

if (process.argv[1] && /cli\.(c?js|ts)$/.test(process.argv[1])) void runAndExit(process.argv.slice(2));
