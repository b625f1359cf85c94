import { Args } from './args';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { DtError } from '../../shared/dt/cpp';
import { DtbError } from '../../shared/dt/dtb';
import { indexTree } from '../../shared/dt/query';
import { planPassthrough, type PlanInput } from '../../shared/passthrough/plan';
import { renderPassthrough } from '../../shared/passthrough/render';
import { defaultBoardsDir, loadBoards } from '../services/boards';
import { writeFileAtomic } from '../services/atomicWrite';
import { loadTree } from './dtCommands';
import type { Io } from './sdfCommands';

const USAGE = `sel4-studio passthrough --board BOARD --device NAME... --out DIR
    [--dt FILE [--cpp] [-i DIR]...] [--vm NAME] [--vmm PD] [--ram BASE:SIZE] [--ram-phys BASE] [--vcpus N]
    [--first-id N] [--remap DEVICE=GUEST_ADDR]...`;

/** Writes passthrough.system, guest.dts, host-overlay.dts, vmm_irqs.c, qemu-args.txt and report.md. */
export async function passthrough(argv: string[], io: Io): Promise<number> {
  const devices: string[] = [];
  const remap: Record<string, bigint> = {};
  const includeDirs: string[] = [];
  let boardName: string | undefined;
  let out: string | undefined;
  let dtFile: string | undefined;
  let cpp = false;
  let vmName = 'linux';
  let vmm = 'vmm';
  let ram = '0x40000000:0x20000000';
  let ramPhys: bigint | undefined;
  let vcpus = 1;
  let firstId = 1;
  const args = new Args(argv);
  for (let a = args.next(); a !== undefined; a = args.next()) {
    const opt = a;
    const val = () => args.value(opt);
    if (a === '--board') boardName = val();
    else if (a === '--device') devices.push(...val().split(','));
    else if (a === '--out') out = val();
    else if (a === '--dt') dtFile = val();
    else if (a === '--cpp') cpp = true;
    else if (a === '-i') includeDirs.push(val());
    else if (a === '--vm') vmName = val();
    else if (a === '--vmm') vmm = val();
    else if (a === '--ram') ram = val();
    else if (a === '--ram-phys') ramPhys = BigInt(val());
    else if (a === '--vcpus') vcpus = Number(val());
    else if (a === '--first-id') firstId = Number(val());
    else if (a === '--remap') {
      const [d, addr] = val().split('=') as [string, string | undefined];
      if (!addr) throw new Error('--remap takes DEVICE=GUEST_ADDR');
      remap[d] = BigInt(addr);
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  if (!boardName || !devices.length || !out) throw new Error(`--board, --device and --out are required\n${USAGE}`);
  const { boards } = await loadBoards(defaultBoardsDir(io.here));
  const board = boards.find((b) => b.name === boardName);
  if (!board) throw new Error(`unknown board '${boardName}' (boards: ${boards.map((b) => b.name).join(', ')})`);
  const [base, size] = ram.split(':');
  if (!base || !size) throw new Error('--ram takes BASE:SIZE, e.g. 0xc2000000:0x30000000');
  const input: PlanInput = { board, devices, vm: { name: vmName, vmm, ramBase: BigInt(base), ramSize: BigInt(size), vcpus }, remap, firstId };
  if (ramPhys !== undefined) input.vm.ramPhys = ramPhys;
  if (dtFile) {
    if (!existsSync(dtFile)) throw new Error(`${dtFile}: No such file or directory`);
    input.dt = indexTree(await loadTree(dtFile, /\.dtbo?$/.test(dtFile) ? 'dtb' : 'dts', includeDirs, cpp));
  }
  const plan = planPassthrough(input);
  for (const m of plan.messages) io.err(`${m.severity}: ${m.device ? `${m.device}: ` : ''}${m.message}\n`);
  if (plan.messages.some((m) => m.severity === 'error')) return 1;
  const files = renderPassthrough(plan, input);
  await fs.mkdir(path.resolve(out), { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFileAtomic(path.join(path.resolve(out), name), text);
  io.out(`wrote ${Object.keys(files).join(', ')} to ${out}: ${plan.regions.length} memory regions, ${plan.irqs.length} IRQs, ${plan.messages.filter((m) => m.severity === 'warning').length} warnings (see report.md)\n`);
  return 0;
}

export async function runPassthrough(argv: string[], io: Io): Promise<number> {
  try {
    return await passthrough(argv, io);
  } catch (e) {
    if (e instanceof DtError || e instanceof DtbError) {
      io.err(`${e.message}\n`);
      return 1;
    }
    io.err(`sel4-studio passthrough: ${(e as Error).message}\n`);
    return 2;
  }
}
