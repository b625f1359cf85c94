import type { XmlElement } from './xml';
import { attrNames } from './schema';
import { PAGE_SIZES, archDisplay, pdMapMaxVaddr, vmMapMaxVaddr, type KernelConfig } from './kernelConfig';

/**
 * Element-level checks of the Microkit 2.3.0 tool, in the tool's order, with its messages
 * (reference/microkit-sdf.md §1–§2). Each function throws {@link SdfError} on the first problem in its element,
 * exactly where the tool stops; the caller records it and goes on with the next element.
 */
export class SdfError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
    readonly rule = 'microkit',
    /** The tool itself would crash here (a panic); we report it as an error. */
    readonly toolPanics = false,
  ) {
    super(message);
  }
  fix?: { label: string; text: string };
  withFix(label: string, text: string | undefined): this {
    if (text !== undefined) this.fix = { label, text };
    return this;
  }
}

export interface Ctx {
  file: string;
  /** The source text, for quick fixes. */
  text: string;
  config: KernelConfig;
  warn(el: XmlElement, message: string, rule: string): void;
}

export const loc = (ctx: Ctx, el: { line: number; column: number }) => `${ctx.file}:${el.line}:${el.column}`;
const at = (el: XmlElement): [number, number] => [el.line, el.column];

export function valueError(ctx: Ctx, el: XmlElement, msg: string, rule = 'value'): SdfError {
  return new SdfError(`Error: ${msg} on element '${el.name}': ${loc(ctx, el)}`, ...at(el), rule);
}

/** The file with one attribute's value replaced (a quick fix), or undefined if the attribute is not there. */
export function withAttr(ctx: Ctx, el: XmlElement, name: string, value: string): string | undefined {
  const a = el.attrs.find((x) => x.name === name);
  if (!a) return undefined;
  const m = /^[\w:.-]+\s*=\s*(["'])/.exec(ctx.text.slice(a.offset));
  if (!m) return undefined;
  const start = a.offset + m[0].length;
  const end = ctx.text.indexOf(m[1]!, start);
  return ctx.text.slice(0, start) + value + ctx.text.slice(end);
}

const roundUp = (n: bigint, to: bigint) => ((n + to - 1n) / to) * to;
const hexOf = (n: bigint) => `0x${n.toString(16)}`;

export function attr(el: XmlElement, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}

export function checkAttributes(ctx: Ctx, el: XmlElement, allowed: string[]): void {
  for (const a of el.attrs) if (!allowed.includes(a.name)) throw valueError(ctx, el, `invalid attribute '${a.name}'`, 'unknown-attribute');
}

export function required(ctx: Ctx, el: XmlElement, name: string): string {
  const v = attr(el, name);
  if (v === undefined) {
    throw new SdfError(`Error: Missing required attribute '${name}' on element '${el.name}': ${loc(ctx, el)}`, ...at(el), 'required-attribute');
  }
  return v;
}

export const children = (el: XmlElement) => el.children.filter((c): c is XmlElement => c.kind === 'element');

const U64_MAX = (1n << 64n) - 1n;

/** Rust's u64::from_str_radix after sdf_parse_number removed `_` and a lowercase `0x` (§1 "Numbers"). */
export function parseU64(s: string): { value: bigint } | { error: string } {
  let t = s.replace(/_/g, '');
  let radix = 10;
  if (t.startsWith('0x')) {
    t = t.slice(2);
    radix = 16;
  }
  if (t.startsWith('+')) t = t.slice(1);
  else if (t === '') return { error: 'cannot parse integer from empty string' };
  if (t === '') return { error: 'invalid digit found in string' };
  const digits = radix === 16 ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/;
  if (!digits.test(t)) return { error: 'invalid digit found in string' };
  const value = BigInt(radix === 16 ? `0x${t}` : t);
  if (value > U64_MAX) return { error: 'number too large to fit in target type' };
  return { value };
}

export function number(ctx: Ctx, el: XmlElement, s: string): bigint {
  const r = parseU64(s);
  if ('error' in r) throw new SdfError(`Error: failed to parse integer '${s}' on element '${el.name}': ${r.error}`, ...at(el), 'number');
  return r.value;
}

export function optNumber(ctx: Ctx, el: XmlElement, name: string): bigint | undefined {
  const v = attr(el, name);
  return v === undefined ? undefined : number(ctx, el, v);
}

/**
 * Fields the tool reads with `str::parse().unwrap()`: anything but plain decimal crashes it (§1 "Decimal-only
 * fields"). Signed where the tool parses i64.
 */
export function decimal(ctx: Ctx, el: XmlElement, name: string, value: string, signed: boolean): bigint {
  const ok = signed ? /^[+-]?\d+$/.test(value) : /^\+?\d+$/.test(value);
  const n = ok ? BigInt(value) : undefined;
  const max = signed ? (1n << 63n) - 1n : U64_MAX;
  if (n === undefined || n > max || n < -(1n << 63n)) {
    const asNumber = parseU64(value);
    throw new SdfError(
      `Error: ${name} must be a plain decimal number, not '${value}' on element '${el.name}': ${loc(ctx, el)} (the Microkit tool crashes on this value)`,
      ...at(el),
      'decimal-only',
      true,
    ).withFix(`Write ${name} as ${'value' in asNumber ? asNumber.value : '?'}`, 'value' in asNumber ? withAttr(ctx, el, name, String(asNumber.value)) : undefined);
  }
  return n;
}

export function bool(ctx: Ctx, el: XmlElement, name: string): boolean | undefined {
  const v = attr(el, name);
  if (v === undefined) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw valueError(ctx, el, `${name} must be 'true' or 'false'`, 'boolean');
}

// ---------------------------------------------------------------------------------------------------------------

export interface SetVar {
  symbol: string;
  kind: 'vaddr' | 'size' | 'prefill_size' | 'paddr' | 'id' | 'ioport_addr';
  mr?: string;
}

export function addSetvar(ctx: Ctx, setvars: SetVar[], sv: SetVar, el: XmlElement) {
  if (setvars.some((o) => o.symbol === sv.symbol)) throw valueError(ctx, el, `setvar on symbol '${sv.symbol}' already exists`, 'duplicate-setvar');
  setvars.push(sv);
}

export interface Map {
  mr: string;
  vaddr: bigint;
  el: XmlElement;
  setvarPrefillSize: boolean;
}

/** SysMap::from_xml (§2.4). */
export function parseMap(ctx: Ctx, el: XmlElement, allowSetvar: boolean, maxVaddr: bigint): Map {
  checkAttributes(ctx, el, allowSetvar ? attrNames('map', 'pd-map') : attrNames('map'));
  const mr = required(ctx, el, 'mr');
  const vaddr = number(ctx, el, required(ctx, el, 'vaddr'));
  if (vaddr >= maxVaddr) throw valueError(ctx, el, `vaddr (0x${vaddr.toString(16)}) must be less than 0x${maxVaddr.toString(16)}`, 'vaddr-limit');
  const perms = attr(el, 'perms');
  if (perms !== undefined) {
    if (![...perms].every((c) => 'rwx'.includes(c))) throw valueError(ctx, el, "perms must only be a combination of 'r', 'w', and 'x'", 'perms');
    if (perms.includes('w') && !perms.includes('r')) {
      throw valueError(ctx, el, "perms must not be 'w', write-only mappings are not allowed", 'perms').withFix('Make the mapping read-write', withAttr(ctx, el, 'perms', `r${perms}`));
    }
  }
  bool(ctx, el, 'cached');
  return { mr, vaddr, el, setvarPrefillSize: attr(el, 'setvar_prefill_size') !== undefined };
}

export interface MemoryRegion {
  name: string;
  size: bigint;
  pageSize: bigint;
  physAddr?: bigint;
  prefillPath?: string;
  el: XmlElement;
}

/** SysMemoryRegion::from_xml (§2.11). Prefill files are not read here: a path is taken to exist. */
export function parseMemoryRegion(ctx: Ctx, el: XmlElement): MemoryRegion {
  checkAttributes(ctx, el, attrNames('memory_region'));
  const name = required(ctx, el, 'name');
  const pageSize = optNumber(ctx, el, 'page_size') ?? PAGE_SIZES[0];
  if (!PAGE_SIZES.includes(pageSize as (typeof PAGE_SIZES)[number])) throw valueError(ctx, el, `page size 0x${pageSize.toString(16)} not supported`, 'page-size');
  const prefillPath = attr(el, 'prefill_path');
  const bootinfo = attr(el, 'prefill_bootinfo');
  if (bootinfo !== undefined && !['x86_vbe', 'x86_mbmmap', 'x86_acpi_rsdp', 'x86_framebuffer', 'x86_tsc_freq', 'fdt'].includes(bootinfo)) {
    throw valueError(ctx, el, `BootInfoMap type: '${bootinfo}' is not supported`, 'prefill-bootinfo');
  }
  if (prefillPath !== undefined && bootinfo !== undefined) throw valueError(ctx, el, 'prefill_path and prefill_bootinfo cannot be both specified', 'prefill-both');
  const sizeAttr = optNumber(ctx, el, 'size');
  let size: bigint;
  if (sizeAttr !== undefined) {
    if (sizeAttr % pageSize !== 0n) {
      const up = roundUp(sizeAttr, pageSize);
      throw valueError(ctx, el, 'size is not a multiple of the page size', 'mr-size').withFix(`Round size up to ${hexOf(up)}`, withAttr(ctx, el, 'size', hexOf(up)));
    }
    size = sizeAttr;
  } else if (bootinfo !== undefined) size = pageSize;
  else if (prefillPath !== undefined) size = pageSize; // the file's length rounded up; unknown without the file
  else throw valueError(ctx, el, 'size must be specified if memory region is not prefilled', 'mr-size');
  const physAddr = optNumber(ctx, el, 'phys_addr');
  if (physAddr !== undefined && physAddr % pageSize !== 0n) {
    const down = physAddr - (physAddr % pageSize);
    throw valueError(ctx, el, 'phys_addr is not aligned to the page size', 'mr-phys-align').withFix(`Align phys_addr down to ${hexOf(down)}`, withAttr(ctx, el, 'phys_addr', hexOf(down)));
  }
  const mr: MemoryRegion = { name, size, pageSize, el };
  if (physAddr !== undefined) mr.physAddr = physAddr;
  if (prefillPath !== undefined) mr.prefillPath = prefillPath;
  return mr;
}

// ---------------------------------------------------------------------------------------------------------------

export interface Irq {
  id: bigint;
  /** Hardware number: irq on ARM/RISC-V, vector on x86. */
  number: bigint;
  el: XmlElement;
}
export interface IoPort {
  id: bigint;
  addr: bigint;
  size: bigint;
}
export interface CapMap {
  type: 'Tcb' | 'Sc' | 'VSpace';
  pd: string;
  slot: bigint;
  el: XmlElement;
}
export interface Vm {
  name: string;
  vcpus: bigint[];
  maps: Map[];
  el: XmlElement;
}
export interface Pd {
  name: string;
  id?: bigint;
  setvarId?: string;
  priority: bigint;
  stackSize: bigint;
  maps: Map[];
  irqs: Irq[];
  ioports: IoPort[];
  setvars: SetVar[];
  capMaps: CapMap[];
  vm?: Vm;
  children: Pd[];
  parent?: string;
  el: XmlElement;
}

export interface Domains {
  names: globalThis.Map<string, number>;
}

function pciParse(s: string): string | undefined {
  const colon = s.indexOf(':');
  if (colon < 0) return 'expected PCI address in bus:device.function form';
  const rest = s.slice(colon + 1);
  const dot = rest.indexOf('.');
  if (dot < 0) return 'expected PCI address in bus:device.function form';
  const parts: [string, string, number][] = [
    [s.slice(0, colon), 'bus', 255],
    [rest.slice(0, dot), 'device', 31],
    [rest.slice(dot + 1), 'function', 7],
  ];
  for (const [text, what, max] of parts) {
    const t = text.trim();
    if (!/^[+-]?[0-9a-fA-F]+$/.test(t)) return `failed to parse PCI ${what}`;
    const n = parseInt(t, 16);
    if (n < 0 || n > max) return `PCI ${what} must be within [0..${max}]`;
  }
  return undefined;
}

export function pciDisplay(s: string): string {
  const [bus, rest] = s.split(':') as [string, string];
  const [dev, fn] = rest.split('.') as [string, string];
  const h = (x: string, w: number) => parseInt(x.trim(), 16).toString(16).padStart(w, '0');
  return `${h(bus, 2)}:${h(dev, 2)}.${h(fn, 1)}`;
}

/** ProtectionDomain::from_xml (§2.2), children included. */
export function parseProtectionDomain(ctx: Ctx, el: XmlElement, isChild: boolean, domains: Domains | undefined): Pd {
  const c = ctx.config;
  checkAttributes(ctx, el, isChild ? attrNames('protection_domain', 'child') : attrNames('protection_domain'));
  const name = required(ctx, el, 'name');
  let id: bigint | undefined;
  if (isChild) {
    id = number(ctx, el, required(ctx, el, 'id'));
    if (id > 61n) ctx.warn(el, `child protection domain id ${id} is above 61: its fault badge does not fit (the Microkit tool does not check this)`, 'child-id-range');
  }
  const budget = optNumber(ctx, el, 'budget') ?? 1000n;
  const period = optNumber(ctx, el, 'period') ?? budget;
  if (budget > period) {
    const e = valueError(ctx, el, `budget (${budget}) must be less than, or equal to, period (${period})`, 'budget-period');
    throw e.withFix(`Set period to ${budget}`, withAttr(ctx, el, 'period', String(budget)));
  }
  bool(ctx, el, 'passive');
  const stackSize = optNumber(ctx, el, 'stack_size') ?? 0x2000n;
  const smc = bool(ctx, el, 'smc');
  if (smc) {
    if (c.armSmc === undefined) throw new SdfError('ARM SMC forwarding support is not available for this architecture', ...at(el), 'smc');
    if (!c.armSmc) throw valueError(ctx, el, 'Using SMC support without ARM SMC forwarding support enabled in the kernel for this platform', 'smc');
  }
  const cpu = optNumber(ctx, el, 'cpu') ?? 0n;
  if (cpu > 255n) throw new SdfError(`Error: cpu '${cpu}' does not fit in 0..255 on element 'protection_domain': ${loc(ctx, el)} (the Microkit tool crashes on this value)`, ...at(el), 'cpu-range', true);
  if (cpu >= BigInt(c.numCores)) throw valueError(ctx, el, `cpu core must be less than ${c.numCores}, got ${cpu}`, 'cpu');
  if (domains && domains.names.size > 0) {
    const d = required(ctx, el, 'domain');
    if (!domains.names.has(d)) throw valueError(ctx, el, `domain '${d}' not declared in <domains>:`, 'domain');
  } else {
    const d = attr(el, 'domain');
    if (d !== undefined) throw valueError(ctx, el, `Specifying a domain '${d}' without declaring a domain schedule is not allowed:`, 'domain');
  }
  if (stackSize < 0x1000n || stackSize > 0x1000000n) throw valueError(ctx, el, 'stack size must be between 0x1000 bytes and 0x1000000 bytes', 'stack-size');
  if (stackSize % 0x1000n !== 0n) {
    const up = roundUp(stackSize, 0x1000n);
    throw valueError(ctx, el, 'stack size must be aligned to the smallest page size, 4096 bytes', 'stack-size').withFix(`Round stack_size up to ${hexOf(up)}`, withAttr(ctx, el, 'stack_size', hexOf(up)));
  }
  const priority = optNumber(ctx, el, 'priority') ?? 0n;
  if (priority > 254n) throw valueError(ctx, el, 'priority must be between 0 and 254', 'priority').withFix('Set priority to 254', withAttr(ctx, el, 'priority', '254'));
  bool(ctx, el, 'fpu');

  const pd: Pd = { name, priority, stackSize, maps: [], irqs: [], ioports: [], setvars: [], capMaps: [], children: [], el };
  if (id !== undefined) pd.id = id;
  const setvarId = attr(el, 'setvar_id');
  if (isChild && setvarId !== undefined) pd.setvarId = setvarId;
  let image = false;
  let cspace = false;
  for (const child of children(el)) {
    switch (child.name) {
      case 'program_image':
        checkAttributes(ctx, child, attrNames('program_image'));
        if (image) throw valueError(ctx, el, 'program_image must only be specified once', 'program-image');
        required(ctx, child, 'path');
        image = true;
        break;
      case 'map': {
        const m = parseMap(ctx, child, true, pdMapMaxVaddr(c, stackSize));
        const sv = attr(child, 'setvar_vaddr');
        if (sv !== undefined) addSetvar(ctx, pd.setvars, { symbol: sv, kind: 'vaddr' }, child);
        const ss = attr(child, 'setvar_size');
        if (ss !== undefined) addSetvar(ctx, pd.setvars, { symbol: ss, kind: 'size', mr: m.mr }, child);
        const sp = attr(child, 'setvar_prefill_size');
        if (sp !== undefined) addSetvar(ctx, pd.setvars, { symbol: sp, kind: 'prefill_size', mr: m.mr }, child);
        pd.maps.push(m);
        break;
      }
      case 'irq':
        pd.irqs.push(parseIrq(ctx, child, pd));
        break;
      case 'ioport': {
        if (c.arch !== 'x86_64') throw valueError(ctx, el, 'I/O Ports are only available on x86', 'ioport');
        checkAttributes(ctx, child, attrNames('ioport'));
        const pid = decimal(ctx, child, 'id', required(ctx, child, 'id'), true);
        if (pid > 61n) throw valueError(ctx, child, 'id must be < 62', 'id-range');
        if (pid < 0n) throw valueError(ctx, child, 'id must be >= 0', 'id-range');
        const svId = attr(child, 'setvar_id');
        if (svId !== undefined) addSetvar(ctx, pd.setvars, { symbol: svId, kind: 'id' }, child);
        const addr = number(ctx, child, required(ctx, child, 'addr'));
        const svAddr = attr(child, 'setvar_addr');
        if (svAddr !== undefined) addSetvar(ctx, pd.setvars, { symbol: svAddr, kind: 'ioport_addr' }, child);
        const size = decimal(ctx, child, 'size', required(ctx, child, 'size'), true);
        if (size <= 0n) throw valueError(ctx, child, 'size must be > 0', 'ioport-size');
        pd.ioports.push({ id: pid, addr, size });
        break;
      }
      case 'setvar': {
        checkAttributes(ctx, child, attrNames('setvar'));
        const symbol = required(ctx, child, 'symbol');
        const region = required(ctx, child, 'region_paddr');
        addSetvar(ctx, pd.setvars, { symbol, kind: 'paddr', mr: region }, child);
        break;
      }
      case 'protection_domain': {
        const cpd = parseProtectionDomain(ctx, child, true, domains);
        if (cpd.setvarId !== undefined) addSetvar(ctx, pd.setvars, { symbol: cpd.setvarId, kind: 'id' }, child);
        pd.children.push(cpd);
        break;
      }
      case 'virtual_machine':
        if (!c.hypervisor) throw valueError(ctx, el, 'seL4 has not been built as a hypervisor, virtual machines are disabled', 'hypervisor');
        if (pd.vm) throw valueError(ctx, el, 'virtual_machine must only be specified once', 'vm-once');
        pd.vm = parseVirtualMachine(ctx, child);
        break;
      case 'cspace':
        if (cspace) throw valueError(ctx, el, 'cspace must only be specified once', 'cspace-once');
        cspace = true;
        pd.capMaps.push(...parseCspace(ctx, child));
        break;
      default:
        throw new SdfError(`Invalid XML element '${child.name}': ${loc(ctx, child)}`, ...at(child), 'unknown-element');
    }
  }
  if (!image) throw new SdfError(`Error: missing 'program_image' element on protection_domain: '${name}'`, ...at(el), 'program-image');
  return pd;
}

function parseIrq(ctx: Ctx, el: XmlElement, pd: Pd): Irq {
  const c = ctx.config;
  const id = decimal(ctx, el, 'id', required(ctx, el, 'id'), true);
  if (id > 61n) throw valueError(ctx, el, 'id must be < 62', 'id-range');
  if (id < 0n) throw valueError(ctx, el, 'id must be >= 0', 'id-range');
  const sv = attr(el, 'setvar_id');
  if (sv !== undefined) addSetvar(ctx, pd.setvars, { symbol: sv, kind: 'id' }, el);
  const trigger = () => {
    const t = attr(el, 'trigger');
    if (t !== undefined && t !== 'level' && t !== 'edge') throw valueError(ctx, el, "trigger must be either 'level' or 'edge'", 'irq-trigger');
  };
  const vector = () => {
    const v = decimal(ctx, el, 'vector', required(ctx, el, 'vector'), true);
    if (v < 0n || v > 107n) throw valueError(ctx, el, 'vector must be within [0..107]', 'irq-vector');
    return v;
  };
  const irqStr = attr(el, 'irq');
  if (irqStr !== undefined) {
    if (c.arch === 'x86_64') throw valueError(ctx, el, 'ARM and RISC-V IRQs are not supported on x86', 'irq-arch');
    checkAttributes(ctx, el, ['irq', 'id', 'setvar_id', 'trigger']);
    const irq = decimal(ctx, el, 'irq', irqStr, false);
    trigger();
    if (c.arch === 'aarch64' && irq < 32n) {
      ctx.warn(el, `irq ${irq} is below 32: on ARM this is a GIC SGI/PPI number; a device tree SPI n is INTID n + 32`, 'arm-irq-below-32');
    }
    return { id, number: irq, el };
  }
  const pin = attr(el, 'pin');
  if (pin !== undefined) {
    if (c.arch !== 'x86_64') throw valueError(ctx, el, "x86 I/O APIC IRQ isn't supported on ARM and RISC-V", 'irq-arch');
    checkAttributes(ctx, el, ['id', 'setvar_id', 'ioapic', 'pin', 'trigger', 'polarity', 'vector']);
    const ioapic = attr(el, 'ioapic');
    if (ioapic !== undefined && decimal(ctx, el, 'ioapic', ioapic, true) < 0n) throw valueError(ctx, el, 'ioapic must be >= 0', 'irq-ioapic');
    if (decimal(ctx, el, 'pin', pin, true) < 0n) throw valueError(ctx, el, 'pin must be >= 0', 'irq-pin');
    trigger();
    const p = attr(el, 'polarity');
    if (p !== undefined && p !== 'low' && p !== 'high') throw valueError(ctx, el, "polarity must be either 'low' or 'high'", 'irq-polarity');
    return { id, number: vector(), el };
  }
  const pcidev = attr(el, 'pcidev');
  if (pcidev !== undefined) {
    if (c.arch !== 'x86_64') throw valueError(ctx, el, "x86 MSI IRQ isn't supported on ARM and RISC-V", 'irq-arch');
    checkAttributes(ctx, el, ['id', 'setvar_id', 'pcidev', 'handle', 'vector']);
    const err = pciParse(pcidev);
    if (err) throw valueError(ctx, el, err, 'pci');
    if (decimal(ctx, el, 'handle', required(ctx, el, 'handle'), true) < 0n) throw valueError(ctx, el, 'handle must be >= 0', 'irq-handle');
    return { id, number: vector(), el };
  }
  if (c.arch === 'x86_64') {
    required(ctx, el, 'pin');
  }
  required(ctx, el, 'irq');
  throw new Error('unreachable');
}

/** VirtualMachine::from_xml (§2.8, §2.9). */
function parseVirtualMachine(ctx: Ctx, el: XmlElement): Vm {
  const c = ctx.config;
  checkAttributes(ctx, el, c.arch === 'aarch64' ? ['name', 'budget', 'period', 'priority'] : ['name']);
  const name = required(ctx, el, 'name');
  if (c.arch === 'aarch64') {
    const budget = optNumber(ctx, el, 'budget') ?? 1000n;
    const period = optNumber(ctx, el, 'period') ?? budget;
    if (budget > period) throw valueError(ctx, el, `budget (${budget}) must be less than, or equal to, period (${period})`, 'budget-period');
    const priority = optNumber(ctx, el, 'priority') ?? 0n;
    if (priority > 254n) ctx.warn(el, `virtual machine priority ${priority} is above 254; the Microkit tool wraps it to ${priority % 256n}`, 'vm-priority-range');
  }
  const vcpus: bigint[] = [];
  const maps: Map[] = [];
  for (const child of children(el)) {
    if (child.name === 'vcpu') {
      checkAttributes(ctx, child, attrNames('vcpu'));
      const id = decimal(ctx, child, 'id', required(ctx, child, 'id'), false);
      if (id > 61n) throw valueError(ctx, child, 'id must be < 62', 'id-range');
      if (vcpus.includes(id)) throw new SdfError(`Error: duplicate vcpu id ${id} in virtual machine '${name}' @ ${loc(ctx, child)}`, ...at(child), 'duplicate-vcpu');
      if (attr(child, 'setvar_id') !== undefined) ctx.warn(child, "vcpu setvar_id is ignored by Microkit 2.3.0 (it reads the attribute from <virtual_machine>)", 'vcpu-setvar-ignored');
      const cpu = optNumber(ctx, child, 'cpu');
      if (cpu !== undefined && cpu >= BigInt(c.numCores)) throw valueError(ctx, child, `cpu core must be less than ${c.numCores}, got ${cpu}`, 'cpu');
      vcpus.push(id);
    } else if (child.name === 'map') {
      maps.push(parseMap(ctx, child, false, vmMapMaxVaddr(c)));
    } else {
      throw new SdfError(`Error: invalid XML element '${child.name}': ${loc(ctx, el)}`, ...at(el), 'unknown-element');
    }
  }
  if (vcpus.length === 0) throw new SdfError(`Error: missing 'vcpu' element on virtual_machine: '${name}'`, ...at(el), 'vm-vcpu');
  if (c.arch === 'x86_64' && vcpus.length > 1) {
    throw new SdfError(`Error: virtual machine '${name}' has ${vcpus.length} vCPUs; x86_64 supports one (the Microkit tool crashes on this): ${loc(ctx, el)}`, ...at(el), 'x86-vcpus', true);
  }
  return { name, vcpus, maps, el };
}

function parseCspace(ctx: Ctx, el: XmlElement): CapMap[] {
  checkAttributes(ctx, el, []);
  const out: CapMap[] = [];
  for (const child of children(el)) {
    const type = ({ cap_tcb: 'Tcb', cap_sc: 'Sc', cap_vspace: 'VSpace' } as const)[child.name as 'cap_tcb'];
    if (!type) {
      if (child.name.startsWith('cap_')) throw new SdfError(`Cap type: '${child.name.slice(4)}' is not supported at '${loc(ctx, child)}'`, ...at(child), 'cap-type');
      throw new SdfError(`Element '${child.name}' is not supported in a <cspace> element at '${loc(ctx, child)}'`, ...at(child), 'cap-type');
    }
    checkAttributes(ctx, child, attrNames('cap_tcb'));
    const pd = required(ctx, child, 'pd');
    const slot = number(ctx, child, required(ctx, child, 'slot'));
    if (slot === 0n) throw valueError(ctx, child, 'The destination slot 0 has been reserved for Microkit CNode', 'cap-slot');
    if (slot >= 128n) throw valueError(ctx, child, 'There are only 128 destination cspace slots available.', 'cap-slot');
    out.push({ type, pd, slot, el: child });
  }
  return out;
}

/** Domains::from_xml (§2.14). */
export function parseDomains(ctx: Ctx, el: XmlElement): Domains {
  const c = ctx.config;
  checkAttributes(ctx, el, []);
  if (c.numCores !== 1) throw new SdfError('Error: The domain scheduler is not supported in multicore builds of seL4', ...at(el), 'domains-smp');
  const names = new globalThis.Map<string, number | undefined>();
  const ids = new globalThis.Map<number, string>();
  let schedule: XmlElement | undefined;
  for (const child of children(el)) {
    if (child.name === 'domain') {
      checkAttributes(ctx, child, attrNames('domain'));
      const name = required(ctx, child, 'name');
      const idRaw = optNumber(ctx, child, 'id');
      if (idRaw !== undefined && idRaw >= BigInt(c.numDomains)) {
        throw valueError(ctx, child, `domain id ${idRaw} should be less than the configured KernelNumDomains value of ${c.numDomains}`, 'domain-id');
      }
      const id = idRaw === undefined ? undefined : Number(idRaw);
      if (names.has(name)) {
        const prev = names.get(name);
        throw valueError(ctx, child, `Each <domain>'s name element must be unique found existing domain '${name}' with id '${prev === undefined ? 'None' : `Some(${prev})`}'`, 'domain-name');
      }
      names.set(name, id);
      if (id !== undefined) {
        if (ids.has(id)) throw valueError(ctx, child, `Each <domain>'s id element must be unique found existing domain '${ids.get(id)}' with id '${id}'`, 'domain-id');
        ids.set(id, name);
      }
    } else if (child.name === 'domain_schedule') {
      if (schedule) throw valueError(ctx, child, 'The <domain_schedule> element can only appear once', 'domain-schedule');
      schedule = child;
    } else {
      throw new SdfError(`Error: invalid XML element as child of <domains> '${child.name}': ${loc(ctx, child)}`, ...at(child), 'unknown-element');
    }
  }
  if (!schedule) throw valueError(ctx, el, 'The <domain_schedule> element must appear once', 'domain-schedule');
  const resolved = new globalThis.Map<string, number>();
  for (const name of [...names.keys()].sort()) {
    let id = names.get(name);
    if (id === undefined) {
      for (let i = 0; i <= c.numDomains; i++) {
        if (!ids.has(i)) {
          ids.set(i, name);
          id = i;
          break;
        }
      }
      if (id === undefined) throw valueError(ctx, el, `Number of domains exceeds ${c.numDomains}`, 'domains-count');
    }
    resolved.set(name, id);
  }
  checkAttributes(ctx, schedule, attrNames('domain_schedule'));
  const start = optNumber(ctx, schedule, 'start_index') ?? 0n;
  const shift = optNumber(ctx, schedule, 'index_shift');
  let entries = 0n;
  for (const child of children(schedule)) {
    if (child.name === 'schedule_entry') {
      checkAttributes(ctx, child, attrNames('domain_entry'));
      const d = required(ctx, child, 'domain');
      const duration = required(ctx, child, 'duration');
      if (!resolved.has(d)) throw valueError(ctx, child, `domain '${d}' does not exist,`, 'schedule-domain');
      const space = duration.indexOf(' ');
      if (space < 0) throw valueError(ctx, child, `The duration '${duration}' must contain a value and a unit, e.g. '1000 us'`, 'schedule-duration');
      const value = number(ctx, child, duration.slice(0, space));
      if (value === 0n) throw valueError(ctx, child, `The duration '${duration}' must be non-zero`, 'schedule-duration');
      const unit = duration.slice(space + 1);
      if (unit !== 'us' && unit !== 'ticks') throw valueError(ctx, child, `The duration '${duration}' must be in either 'ticks' or 'us'`, 'schedule-duration');
    } else if (child.name === 'schedule_end_marker') {
      checkAttributes(ctx, child, []);
    } else {
      throw new SdfError(`Error: invalid XML element as child of <domain_schedule> '${child.name}': ${loc(ctx, child)}`, ...at(child), 'unknown-element');
    }
    entries++;
  }
  if (entries >= BigInt(c.numDomainSchedules)) {
    throw new SdfError(`More than configured KernelNumDomainSchedules ${c.numDomainSchedules} number of <schedule_entry> elements found`, ...at(schedule), 'schedule-length');
  }
  if (start >= entries) throw valueError(ctx, schedule, `schedule_start_index '${start}' is greater than the length of the schedule '${entries}'`, 'schedule-start');
  if (shift !== undefined && shift + entries >= BigInt(c.numDomainSchedules)) {
    // The tool prints start_index where it means the shift (reference §2.14).
    throw valueError(ctx, schedule, `schedule_index_shift '${start}' on top of the schedule length '${entries}' would exceed than the configured KernelNumDomainSchedules ${c.numDomainSchedules}`, 'schedule-shift');
  }
  return { names: resolved };
}

export interface IoMap {
  mr: string;
  iovaddr: bigint;
  el: XmlElement;
}
export interface IoAddressSpace {
  name: string;
  device: string;
  maps: IoMap[];
  el: XmlElement;
}

/** IOAddressSpace::from_xml (§2.13). */
export function parseIoAddressSpace(ctx: Ctx, el: XmlElement, seen: { names: Set<string>; domainIds: Set<bigint>; devices: Set<string> }): IoAddressSpace {
  const c = ctx.config;
  if (!c.iommu) throw new SdfError(`Error: io address space requires seL4 to be built with IOMMU support: ${loc(ctx, el)}`, ...at(el), 'iommu');
  checkAttributes(ctx, el, ['name', 'peripheral_id', 'domain_id']);
  const name = required(ctx, el, 'name');
  if (seen.names.has(name)) throw valueError(ctx, el, `duplicate device name '${name}'`, 'iommu-name');
  seen.names.add(name);
  if (c.arch === 'x86_64') {
    const domainId = number(ctx, el, required(ctx, el, 'domain_id'));
    if (seen.domainIds.has(domainId)) throw valueError(ctx, el, 'reusing a domain id is forbidden', 'iommu-domain');
    seen.domainIds.add(domainId);
  }
  const pid = required(ctx, el, 'peripheral_id');
  const err = c.arch === 'x86_64' ? pciParse(pid) : `IOMMU device identifiers are not supported on ${archDisplay[c.arch]}`;
  if (err) throw valueError(ctx, el, `failed to parse device peripheral_id '${pid}': ${err}`, 'iommu-device');
  const device = `PCI device ${pciDisplay(pid)}`;
  if (seen.devices.has(device)) throw valueError(ctx, el, `duplicate device peripheral_id '${device}'`, 'iommu-device');
  seen.devices.add(device);
  const maps: IoMap[] = [];
  for (const child of children(el)) {
    if (child.name !== 'iomap') throw new SdfError(`Error: invalid XML element '${child.name}': ${loc(ctx, child)}`, ...at(child), 'unknown-element');
    checkAttributes(ctx, child, attrNames('iomap'));
    const mr = required(ctx, child, 'mr');
    const iovaddr = number(ctx, child, required(ctx, child, 'iovaddr'));
    if (iovaddr > 0x7f_ffff_ffffn) throw valueError(ctx, child, `iovaddr (0x${iovaddr.toString(16)}) must be less than 0x8000000000`, 'iovaddr-limit');
    const perms = attr(child, 'perms');
    if (perms !== undefined && (![...perms].every((ch) => ch === 'r' || ch === 'w') || perms === '')) {
      throw valueError(ctx, child, "perms for io mapped memory must only be a combination of 'r' and 'w'", 'iomap-perms');
    }
    maps.push({ mr, iovaddr, el: child });
  }
  return { name, device, maps, el };
}
