import type { XmlElement } from './xml';
import { attrNames, budgetFitsPeriod, SDF_DEFAULTS, SDF_LIMITS } from './schema';
import { pdMapMaxVaddr, vmMapMaxVaddr } from './kernelConfig';
import { at, attr, bool, checkAttributes, checkIdRange, children, decimal, hexOf, loc, number, optNumber, required, roundUp, SdfError, valueError, withAttr, type Ctx } from './checkValues';
import { addSetvar, parseMap, type Map, type SetVar } from './checkMemory';
import { pciParse } from './checkIommu';
import type { Domains } from './checkDomains';
import { intidKind, kernelOwnedIntid } from '../model/intid';

const L = SDF_LIMITS;

/** A protection domain as the tool reads it (§2.2): its attributes, IRQs, VM, cspace and child PDs. */
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

/** ProtectionDomain::from_xml (§2.2), children included. */
export function parseProtectionDomain(ctx: Ctx, el: XmlElement, isChild: boolean, domains: Domains | undefined): Pd {
  const c = ctx.config;
  checkAttributes(ctx, el, isChild ? attrNames('protection_domain', 'child') : attrNames('protection_domain'));
  const name = required(ctx, el, 'name');
  let id: bigint | undefined;
  if (isChild) {
    id = number(ctx, el, required(ctx, el, 'id'));
    if (id > BigInt(L.childId.max)) ctx.warn(el, `child protection domain id ${id} is above ${L.childId.max}: its fault badge does not fit (the Microkit tool does not check this)`, 'child-id-range');
  }
  const budget = optNumber(ctx, el, 'budget') ?? BigInt(SDF_DEFAULTS.budget);
  const period = optNumber(ctx, el, 'period') ?? budget;
  if (!budgetFitsPeriod(budget, period)) {
    const e = valueError(ctx, el, `budget (${budget}) must be less than, or equal to, period (${period})`, 'budget-period');
    throw e.withFix(`Set period to ${budget}`, withAttr(ctx, el, 'period', String(budget)));
  }
  bool(ctx, el, 'passive');
  const stackSize = optNumber(ctx, el, 'stack_size') ?? BigInt(SDF_DEFAULTS.stackSize);
  const smc = bool(ctx, el, 'smc');
  if (smc) {
    if (c.armSmc === undefined) throw new SdfError('ARM SMC forwarding support is not available for this architecture', ...at(el), 'smc');
    if (!c.armSmc) throw valueError(ctx, el, 'Using SMC support without ARM SMC forwarding support enabled in the kernel for this platform', 'smc');
  }
  const cpu = optNumber(ctx, el, 'cpu') ?? BigInt(SDF_DEFAULTS.cpu);
  if (cpu > BigInt(L.cpu.max)) throw new SdfError(`Error: cpu '${cpu}' does not fit in ${L.cpu.min}..${L.cpu.max} on element 'protection_domain': ${loc(ctx, el)} (the Microkit tool crashes on this value)`, ...at(el), 'cpu-range', true);
  if (cpu >= BigInt(c.numCores)) throw valueError(ctx, el, `cpu core must be less than ${c.numCores}, got ${cpu}`, 'cpu');
  if (domains && domains.names.size > 0) {
    const d = required(ctx, el, 'domain');
    if (!domains.names.has(d)) throw valueError(ctx, el, `domain '${d}' not declared in <domains>:`, 'domain');
  } else {
    const d = attr(el, 'domain');
    if (d !== undefined) throw valueError(ctx, el, `Specifying a domain '${d}' without declaring a domain schedule is not allowed:`, 'domain');
  }
  const stack = { min: BigInt(L.stackSize.min), max: BigInt(L.stackSize.max), align: BigInt(L.stackSize.align) };
  if (stackSize < stack.min || stackSize > stack.max) throw valueError(ctx, el, `stack size must be between ${hexOf(stack.min)} bytes and ${hexOf(stack.max)} bytes`, 'stack-size');
  if (stackSize % stack.align !== 0n) {
    const up = roundUp(stackSize, stack.align);
    throw valueError(ctx, el, `stack size must be aligned to the smallest page size, ${stack.align} bytes`, 'stack-size').withFix(`Round stack_size up to ${hexOf(up)}`, withAttr(ctx, el, 'stack_size', hexOf(up)));
  }
  const priority = optNumber(ctx, el, 'priority') ?? BigInt(SDF_DEFAULTS.priority);
  const top = L.priority.max;
  if (priority > BigInt(top)) throw valueError(ctx, el, `priority must be between ${L.priority.min} and ${top}`, 'priority').withFix(`Set priority to ${top}`, withAttr(ctx, el, 'priority', String(top)));
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
        checkIdRange(ctx, child, pid);
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

/**
 * ARM interrupt numbers are GIC INTIDs (shared/model/intid.ts). SGIs (0-15) are the kernel's inter-processor signals,
 * never a device's: that number is almost always a device-tree SPI written without its + 32. PPIs (16-31) are
 * legal (the architected timers: the sDDF timer driver takes INTID 30) except the ones seL4 keeps for itself.
 */
function armIrqNotes(ctx: Ctx, el: XmlElement, irq: bigint, hypervisor: boolean): void {
  const kind = irq <= 0xffffn ? intidKind(Number(irq)) : 'invalid';
  if (kind === 'SGI') {
    ctx.warn(el, `irq ${irq} is SGI ${irq}, a software-generated interrupt the kernel uses between cores, not a device's; a device tree's SPI n (<0 n flags>) is INTID n + 32`, 'arm-irq-sgi');
  } else if (kind === 'PPI') {
    const owned = kernelOwnedIntid(Number(irq), hypervisor);
    if (owned) ctx.warn(el, `irq ${irq} is PPI ${irq - 16n}: ${owned}, so no PD can be given it`, 'arm-irq-kernel');
  } else if (kind !== 'SPI') {
    ctx.warn(el, `irq ${irq} is not a GIC interrupt a device raises (SPIs are INTIDs 32-1019)`, 'arm-irq-range');
  }
}

function parseIrq(ctx: Ctx, el: XmlElement, pd: Pd): Irq {
  const c = ctx.config;
  const id = decimal(ctx, el, 'id', required(ctx, el, 'id'), true);
  checkIdRange(ctx, el, id);
  const sv = attr(el, 'setvar_id');
  if (sv !== undefined) addSetvar(ctx, pd.setvars, { symbol: sv, kind: 'id' }, el);
  const trigger = () => {
    const t = attr(el, 'trigger');
    if (t !== undefined && t !== 'level' && t !== 'edge') throw valueError(ctx, el, "trigger must be either 'level' or 'edge'", 'irq-trigger');
  };
  const vector = () => {
    const v = decimal(ctx, el, 'vector', required(ctx, el, 'vector'), true);
    if (v < BigInt(L.x86Vector.min) || v > BigInt(L.x86Vector.max)) throw valueError(ctx, el, `vector must be within [${L.x86Vector.min}..${L.x86Vector.max}]`, 'irq-vector');
    return v;
  };
  const irqStr = attr(el, 'irq');
  if (irqStr !== undefined) {
    if (c.arch === 'x86_64') throw valueError(ctx, el, 'ARM and RISC-V IRQs are not supported on x86', 'irq-arch');
    checkAttributes(ctx, el, ['irq', 'id', 'setvar_id', 'trigger']);
    const irq = decimal(ctx, el, 'irq', irqStr, false);
    trigger();
    if (c.arch === 'aarch64') armIrqNotes(ctx, el, irq, c.hypervisor);
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
    const budget = optNumber(ctx, el, 'budget') ?? BigInt(SDF_DEFAULTS.budget);
    const period = optNumber(ctx, el, 'period') ?? budget;
    if (!budgetFitsPeriod(budget, period)) throw valueError(ctx, el, `budget (${budget}) must be less than, or equal to, period (${period})`, 'budget-period');
    const priority = optNumber(ctx, el, 'priority') ?? BigInt(SDF_DEFAULTS.priority);
    // The tool casts it to a u8 (§2.8).
    if (priority > BigInt(L.priority.max)) ctx.warn(el, `virtual machine priority ${priority} is above ${L.priority.max}; the Microkit tool wraps it to ${priority % 256n}`, 'vm-priority-range');
  }
  const vcpus: bigint[] = [];
  const maps: Map[] = [];
  for (const child of children(el)) {
    if (child.name === 'vcpu') {
      checkAttributes(ctx, child, attrNames('vcpu'));
      const id = decimal(ctx, child, 'id', required(ctx, child, 'id'), false);
      checkIdRange(ctx, child, id);
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
    if (slot < BigInt(L.capSlot.min)) throw valueError(ctx, child, `The destination slot ${slot} has been reserved for Microkit CNode`, 'cap-slot');
    if (slot > BigInt(L.capSlot.max)) throw valueError(ctx, child, `There are only ${L.capSlot.max + 1} destination cspace slots available.`, 'cap-slot');
    out.push({ type, pd, slot, el: child });
  }
  return out;
}
