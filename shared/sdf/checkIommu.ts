import type { XmlElement } from './xml';
import { attrNames, SDF_LIMITS } from './schema';
import { archDisplay } from './kernelConfig';
import { at, attr, checkAttributes, children, loc, number, required, SdfError, valueError, type Ctx } from './checkValues';

/** x86 PCI addresses (§2.5) and IOMMU address spaces (§2.13). */
export function pciParse(s: string): string | undefined {
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
    if (iovaddr > BigInt(SDF_LIMITS.iovaddr.max)) throw valueError(ctx, child, `iovaddr (0x${iovaddr.toString(16)}) must be less than 0x${(SDF_LIMITS.iovaddr.max + 1).toString(16)}`, 'iovaddr-limit');
    const perms = attr(child, 'perms');
    if (perms !== undefined && (![...perms].every((ch) => ch === 'r' || ch === 'w') || perms === '')) {
      throw valueError(ctx, child, "perms for io mapped memory must only be a combination of 'r' and 'w'", 'iomap-perms');
    }
    maps.push({ mr, iovaddr, el: child });
  }
  return { name, device, maps, el };
}
