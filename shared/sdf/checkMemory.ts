import type { XmlElement } from './xml';
import { attrNames } from './schema';
import { PAGE_SIZES } from './kernelConfig';
import { attr, bool, checkAttributes, hexOf, number, optNumber, required, roundUp, valueError, withAttr, type Ctx } from './checkValues';

/** Memory as the tool reads it element by element: regions (§2.11), maps of them (§2.4) and the setvars maps carry. */
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
