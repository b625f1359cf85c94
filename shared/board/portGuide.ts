import { hex } from '../format/hex';
import type { BoardPack } from '../model/board';
import { KERNEL_MARGIN, LOADER_SLACK, type LinkProposal, type TreeFacts, type UartFacts } from './fromTree';

/**
 * The port guide: for a board the SDK does not have, the checklist of what a Microkit port touches (field notes §1:
 * the Orin port touched the SDK build script's board entry, the loader's early UART, the kernel's platform folder and
 * overlay, and moved the link address for a large payload), each item with the tree's values filled in, the snippet
 * to paste and where it goes. Pure: data in (the tree's facts, the pack the wizard made, the link proposal), items out.
 * Item ids are stable: the folder settings keep the ticks by id (`portGuides`).
 */
export interface GuideItem {
  id: string;
  section: 'sdk' | 'loader' | 'kernel' | 'first-boot';
  title: string;
  /** Where the snippet goes (a file of the Microkit or seL4 source). */
  where: string;
  /** The facts behind the values, each with its node path when it has one (the wizard opens the tree there). */
  facts: { label: string; value: string; path?: string }[];
  snippet: string;
  /** Why, and what to look at. */
  notes: string[];
}

export interface PortGuide {
  board: string;
  /** The kernel platform name the snippets use (KernelPlatform): the board name with `-` for `_`. */
  platform: string;
  items: GuideItem[];
}

export const GUIDE_SECTIONS: Record<GuideItem['section'], string> = {
  sdk: 'Microkit SDK build script',
  loader: 'Microkit loader',
  kernel: 'seL4 kernel platform',
  'first-boot': 'When it does not boot',
};

const mib = (v: bigint) => `${v / 0x10_0000n} MiB`;
const upper = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/** What kind of UART a compatible names, with the registers an early putc needs. */
export function uartKind(compatible: readonly string[]): { kind: string; putc?: string[] } {
  const c = compatible.join(' ');
  if (/arm,pl011|arm,sbsa-uart/.test(c)) return { kind: 'PL011', putc: ['wait while UARTFR (offset 0x18) has TXFF (bit 5) set', 'write the byte to UARTDR (offset 0x0)'] };
  if (/amlogic,meson/.test(c)) return { kind: 'Amlogic Meson UART', putc: ['wait while STATUS (offset 0xc) has TX_FULL (bit 21) set', 'write the byte to WFIFO (offset 0x0)'] };
  if (/fsl,imx|nxp,imx/.test(c)) return { kind: 'i.MX UART', putc: ['wait until the status register (UTS, offset 0xb4, or USR2 0x98) says the transmitter has room (TXEMPTY / TDRE)', 'write the byte to UTXD (offset 0x40)'] };
  if (/cdns,uart|xlnx,xuartps/.test(c)) return { kind: 'Cadence UART', putc: ['wait until Channel_sts (offset 0x2c) has TXEMPTY (bit 3)', 'write the byte to TX_RX_FIFO (offset 0x30)'] };
  if (/ns16550|snps,dw-apb-uart|8250|nvidia,tegra\d+-uart/.test(c)) return { kind: '16550 (8250)', putc: ['wait until LSR (register 5: offset 5 << reg-shift, 0x14 with reg-shift 2) has THRE (bit 5)', 'write the byte to THR (offset 0x0)'] };
  return { kind: compatible[0] ?? 'unknown' };
}

function loaderUartSnippet(platform: string, u: UartFacts | undefined): string {
  const macro = `CONFIG_PLAT_${upper(platform)}`;
  if (!u) return `#elif defined(${macro})\n/* no UART found in the tree: name the console's base address here */\n#define UART_BASE 0x0\n`;
  const { kind, putc } = uartKind(u.compatible);
  const base = u.regs[0] ? hex(u.regs[0].base) : '0x0';
  return [
    `#elif defined(${macro})`,
    `/* ${kind} at ${base} (${u.path}, ${u.compatible.join(', ')}) */`,
    `#define UART_BASE ${base}`,
    '',
    'void uart_init(void) {} /* the boot loader has set the clock and baud rate */',
    '',
    'void putc(uint8_t ch)',
    '{',
    ...(putc ? putc.map((p) => `    /* ${p} */`) : ['    /* this UART is not one the guide knows: see its datasheet for the transmit-ready bit and data register */']),
    '}',
    '',
  ].join('\n');
}

/** The checklist for porting `pack` (made from `facts`) to Microkit. */
export function portGuide(facts: TreeFacts, pack: BoardPack, link: LinkProposal, payloadSize: bigint): PortGuide {
  const platform = pack.name.replace(/_/g, '-');
  const items: GuideItem[] = [];
  const console = facts.console ?? facts.uarts[0];
  const linkAddress = pack.loaderLinkAddress ?? (link.address !== undefined ? hex(link.address) : undefined);
  const arch = pack.arch;
  const gicv3 = facts.gic?.version === 3;

  // 1. The SDK build script's board entry.
  items.push({
    id: 'sdk-board-entry',
    section: 'sdk',
    title: `Add ${pack.name} to the SDK build script's board list`,
    where: 'microkit: build_sdk.py, SUPPORTED_BOARDS',
    facts: [
      { label: 'gcc CPU', value: pack.cpu, ...(facts.cpus.paths[0] ? { path: facts.cpus.paths[0] } : {}) },
      { label: 'loader link address', value: linkAddress ?? '(none fits: see the link address step)', path: facts.memory[0]?.path ?? '/' },
      ...(pack.smpCores ? [{ label: 'cores (smp_cores)', value: String(pack.smpCores), path: '/cpus' }] : []),
      ...(arch === 'aarch64' ? [{ label: 'physical-address bits', value: String(pack.paBits), path: facts.addressWidth.highest.path }] : []),
    ],
    snippet: [
      'BoardInfo(',
      `    name="${pack.name}",`,
      `    arch=BoardArch.${arch === 'aarch64' ? 'AARCH64' : arch === 'riscv64' ? 'RISCV64' : 'X86_64'},`,
      ...(arch === 'aarch64' ? [`    gcc_cpu="${pack.cpu}",`] : []),
      `    loader_link_address=${linkAddress ?? '0x0'},`,
      ...(pack.smpCores ? [`    smp_cores=${pack.smpCores},`] : []),
      '    kernel_options={',
      `        "KernelPlatform": "${platform}",`,
      ...(arch === 'aarch64' && !pack.hypervisor ? ['        "KernelArmHypervisorSupport": False,'] : []),
      '    },',
      '),',
    ].join('\n'),
    notes: [
      'Microkit adds its defaults to every board (MCS, the hypervisor on AArch64, SMC calls, the physical counter for user level); the entry names only what is the board\'s own.',
      linkAddress ? `The link address: ${link.reason}. It assumes a payload of ${mib(payloadSize)}: a larger one (a Linux guest with its initrd) needs the address moved up (the AGX Orin port moved its loader from 0x80500000 to 0x88000000 for that reason).` : `No link address fits: ${link.problems.join('; ')}`,
    ],
  });

  // 2. The loader's early UART.
  if (arch !== 'riscv64') {
    const kind = console ? uartKind(console.compatible).kind : 'none';
    items.push({
      id: 'loader-uart',
      section: 'loader',
      title: `Give the loader its early UART: ${kind}${console?.regs[0] ? ` at ${hex(console.regs[0].base)}` : ''}`,
      where: `microkit: the loader's uart.c (one #elif block per kernel platform, CONFIG_PLAT_${upper(platform)})`,
      facts: console
        ? [
            { label: 'UART', value: `${console.compatible.join(', ')}${console.labels[0] ? ` (${console.labels[0]})` : ''}`, path: console.path },
            { label: 'base address', value: console.regs[0] ? hex(console.regs[0].base) : '(no reg)', path: console.path },
            { label: 'why this one', value: console.stdout ? 'stdout-path in /chosen' : console.kernel ? 'the seL4 overlay gives it to the kernel' : 'the first UART of the tree (no stdout-path)', path: console.stdout ? '/chosen' : console.path },
          ]
        : [],
      snippet: loaderUartSnippet(platform, console),
      notes: ['The loader prints before the kernel and uses the UART as the boot loader left it: no clock or baud setup, only a transmit-ready wait and a write.'],
    });
  }

  // 3. The kernel platform: config.cmake.
  const maxIntid = Math.max(0, ...facts.uarts.flatMap((u) => u.intids));
  const core = pack.cpu.replace(/^cortex-a/, 'A');
  items.push({
    id: 'kernel-config',
    section: 'kernel',
    title: `Declare the kernel platform ${platform}`,
    where: `seL4: src/plat/${platform}/config.cmake (and its CMakeLists/platform list)`,
    facts: [
      ...(facts.gic ? [{ label: 'interrupt controller', value: `GICv${facts.gic.version} (${facts.gic.compatible})`, path: facts.gic.path }] : []),
      ...(facts.timer ? [{ label: 'timer', value: `${facts.timer.compatible}, PPIs ${facts.timer.ppis.map((p) => `${p.name} ${p.intid}`).join(', ')}`, path: facts.timer.path }] : []),
      { label: 'core', value: pack.cpu, ...(facts.cpus.paths[0] ? { path: facts.cpus.paths[0] } : {}) },
    ],
    snippet: [
      `declare_platform(${platform} KernelPlatform${upper(platform).replace(/_/g, '')} PLAT_${upper(platform)} KernelArchARM)`,
      '',
      `if(KernelPlatform${upper(platform).replace(/_/g, '')})`,
      `    declare_seL4_arch(${arch})`,
      ...(arch === 'aarch64' ? [`    set(KernelArmCortex${core} ON)`, '    set(KernelArchArmV8a ON)'] : []),
      ...(gicv3 ? ['    set(KernelArmGicV3 ON)'] : []),
      `    list(APPEND KernelDTSList "tools/dts/${platform}.dts" "src/plat/${platform}/overlay-${platform}.dts")`,
      '    declare_default_headers(',
      '        TIMER_FREQUENCY <CNTFRQ_EL0 of the board: U-Boot prints it, or read it once in the loader>',
      `        MAX_IRQ <the GIC's last INTID; the tree's UARTs reach ${maxIntid}>`,
      '        TIMER drivers/timer/arm_generic.h',
      `        INTERRUPT_CONTROLLER arch/machine/gic_v${gicv3 ? 3 : 2}.h`,
      '        NUM_PPI 32',
      '    )',
      'endif()',
    ].join('\n'),
    notes: [`The tree itself goes in as tools/dts/${platform}.dts (the kernel's build compiles it with the overlay and takes RAM and its own devices from them).`],
  });

  // 4. The overlay: the kernel's devices and the memory to hide.
  const hide = facts.reserved.filter((r) => r.path !== '/memreserve/');
  const kernelDevices = [console ? (console.labels[0] ? `"${console.labels[0]}"` : `&{${console.path}}`) : undefined, facts.gic ? `&{${facts.gic.path}}` : undefined, facts.timer ? `&{${facts.timer.path}}` : undefined].filter(Boolean);
  items.push({
    id: 'kernel-overlay',
    section: 'kernel',
    title: 'Write the kernel overlay: the devices the kernel owns, the memory to hide',
    where: `seL4: src/plat/${platform}/overlay-${platform}.dts`,
    facts: [
      ...(console ? [{ label: 'kernel UART', value: console.regs[0] ? hex(console.regs[0].base) : console.path, path: console.path }] : []),
      ...(facts.gic ? [{ label: 'GIC', value: facts.gic.regs.map((r) => `${r.name} ${hex(r.address)}`).join(', '), path: facts.gic.path }] : []),
      ...(facts.timer ? [{ label: 'timer', value: facts.timer.compatible, path: facts.timer.path }] : []),
      ...facts.reserved.map((r) => ({ label: `reserved${r.noMap ? ' (no-map)' : ''}`, value: `${hex(r.base)}..${hex(r.base + r.size)}`, path: r.path === '/memreserve/' ? '/' : r.path })),
    ],
    snippet: [
      '/ {',
      '    chosen {',
      `        seL4,kernel-devices = ${kernelDevices.join(', ') || '/* the console UART, the GIC, the timer */'};`,
      '    };',
      ...(hide.length
        ? ['', '    /* kept out of the kernel\'s RAM (the kernel\'s hardware tools leave /reserved-memory out) */', '    reserved-memory {', '        #address-cells = <2>;', '        #size-cells = <2>;', '        ranges;', ...hide.map((r) => `        ${r.path.split('/').pop()} { reg = <${hex(r.base >> 32n)} ${hex(r.base & 0xffff_ffffn)} ${hex(r.size >> 32n)} ${hex(r.size & 0xffff_ffffn)}>;${r.noMap ? ' no-map;' : ''} };`), '    };']
        : []),
      '};',
    ].join('\n'),
    notes: ['Give the kernel only the UART, the GIC and the timer: every other device stays for protection domains (device regions) and guests.', facts.reserved.some((r) => r.path === '/memreserve/') ? 'The DTB header\'s /memreserve/ entries are boot-loader reservations: check the kernel\'s RAM leaves them out too.' : ''].filter(Boolean),
  });

  // 5. What to check first when it does not boot.
  const first = facts.memory[0];
  const window = link.window;
  items.push({
    id: 'boot-no-loader-output',
    section: 'first-boot',
    title: 'No loader output at all',
    where: 'the boot loader console (U-Boot), then the loader',
    facts: console ? [{ label: 'UART base', value: console.regs[0] ? hex(console.regs[0].base) : '?', path: console.path }] : [],
    snippet: linkAddress ? `# U-Boot: load the image at the link address and jump to it\ntftpboot ${linkAddress} loader.img\ngo ${linkAddress}` : '# no link address yet',
    notes: [
      `Check the loader's UART_BASE is the console's (${console?.regs[0] ? hex(console.regs[0].base) : 'unknown'}) and its type (${console ? uartKind(console.compatible).kind : 'unknown'}); the boot loader must have set up its clock (print something from U-Boot on it first).`,
      'Check the image is loaded at the link address it was built for (`go` to the same address).',
    ],
  });
  items.push({
    id: 'boot-loader-no-kernel',
    section: 'first-boot',
    title: 'Loader output, but the kernel never starts',
    where: 'build_sdk.py loader_link_address; the RAM banks',
    facts: [...facts.memory.map((b) => ({ label: 'RAM bank', value: `${hex(b.base)}..${hex(b.base + b.size)}`, path: b.path }))],
    snippet: window ? `loader image: ${hex(window.base)}..${hex(window.base + window.size)}\nkernel area:  ${first ? `${hex(first.base)}..${hex(first.base + payloadSize + KERNEL_MARGIN)}` : '?'}` : '# no window',
    notes: [`The loader copies the kernel and the initial images to the start of RAM (about the payload's size + ${mib(KERNEL_MARGIN)}): the loader image (payload + ${mib(LOADER_SLACK)}) must not overlap that, nor reserved memory. A larger payload than ${mib(payloadSize)} needs the link address moved up.`],
  });
  items.push({
    id: 'boot-kernel-no-pds',
    section: 'first-boot',
    title: 'Kernel output, but no protection domain runs',
    where: 'the kernel overlay; the system description',
    facts: facts.reserved.map((r) => ({ label: 'reserved', value: `${hex(r.base)}..${hex(r.base + r.size)}`, path: r.path === '/memreserve/' ? '/' : r.path })),
    snippet: '# the report the microkit tool writes (-r report.txt) lists every region it placed: compare with the RAM and reserved ranges above',
    notes: ['A memory region placed in RAM the firmware uses (reserved memory not hidden from the kernel), or a device region the kernel owns (its UART, the GIC, the timer), stops the system before the first PD prints.'],
  });
  return { board: pack.name, platform, items };
}
