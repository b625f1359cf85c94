import type { CapMap, IoPort, IrqEntry, MapEntry, ProtectionDomain, Vcpu, VirtualMachine } from '../model/system';
import type { XmlElement } from './xml';
import { eachChild, put, Unrepresentable, withComments, type ImportCtx } from './importContext';

// A protection domain into the model (§2.2), with what it holds: maps, IRQs, I/O ports, setvars, its VM, cspace, child PDs.

/** A `<map>` of a PD or a VM (§2.4). */
export function mapEntry(ctx: ImportCtx, el: XmlElement, key: string): MapEntry {
  const r = ctx.reader(el);
  ctx.place(key, el);
  const m = put({ mr: r.req('mr'), vaddr: r.num('vaddr') ?? ctx.fail(el, "Missing required attribute 'vaddr'") } as MapEntry, {
    perms: r.str('perms'),
    cached: r.bool('cached'),
    setvarVaddr: r.str('setvar_vaddr'),
    setvarSize: r.str('setvar_size'),
    setvarPrefillSize: r.str('setvar_prefill_size'),
  });
  r.done();
  return m;
}

/** An `<irq>` in one of its three forms (§2.5): ARM/RISC-V, x86 I/O APIC, x86 MSI. */
export function irqEntry(ctx: ImportCtx, el: XmlElement, key: string): IrqEntry {
  const r = ctx.reader(el);
  ctx.place(key, el);
  const id = r.dec('id') ?? ctx.fail(el, "Missing required attribute 'id'");
  const setvarId = r.str('setvar_id');
  const trigger = (t: string | undefined) => {
    if (t !== undefined && t !== 'level' && t !== 'edge') ctx.fail(el, "trigger must be either 'level' or 'edge'");
    return t as 'level' | 'edge' | undefined;
  };
  let irq: IrqEntry;
  if (r.str('irq') !== undefined) irq = put({ irq: r.dec('irq')!, id } as IrqEntry, { trigger: trigger(r.str('trigger')), setvarId });
  else if (r.str('pin') !== undefined) {
    const polarity = r.str('polarity');
    if (polarity !== undefined && polarity !== 'low' && polarity !== 'high') ctx.fail(el, "polarity must be either 'low' or 'high'");
    irq = put({ pin: r.dec('pin')!, vector: r.dec('vector') ?? ctx.fail(el, "Missing required attribute 'vector'"), id } as IrqEntry, {
      ioapic: r.dec('ioapic'),
      trigger: trigger(r.str('trigger')),
      polarity: polarity as 'low' | 'high' | undefined,
      setvarId,
    });
  } else if (r.str('pcidev') !== undefined) {
    irq = put({ pcidev: r.str('pcidev')!, handle: r.dec('handle') ?? ctx.fail(el, "Missing required attribute 'handle'"), vector: r.dec('vector') ?? ctx.fail(el, "Missing required attribute 'vector'"), id } as IrqEntry, { setvarId });
  } else return ctx.fail(el, "Missing required attribute 'irq'");
  r.done();
  return irq;
}

/** The `<virtual_machine>` a PD runs (§2.8), with its vCPUs and guest-physical maps. */
export function virtualMachine(ctx: ImportCtx, el: XmlElement, key: string): VirtualMachine {
  const r = ctx.reader(el);
  ctx.place(key, el);
  const vm = put({ name: r.req('name'), vcpus: [], maps: [] } as VirtualMachine, { priority: r.num('priority'), budget: r.num('budget'), period: r.num('period') });
  r.done();
  eachChild(el, (c, comments) => {
    if (c.name === 'vcpu') {
      const cr = ctx.reader(c);
      ctx.place(`${key}/vcpu[${vm.vcpus.length}]`, c);
      const v = put({ id: cr.dec('id') ?? ctx.fail(c, "Missing required attribute 'id'") } as Vcpu, { cpu: cr.num('cpu'), setvarId: cr.str('setvar_id') });
      cr.done();
      vm.vcpus.push(withComments(v, comments));
    } else if (c.name === 'map') vm.maps.push(withComments(mapEntry(ctx, c, `${key}/map[${vm.maps.length}]`), comments));
    else throw new Unrepresentable(`<${c.name}> inside <virtual_machine>`);
  });
  return vm;
}

/** A `<protection_domain>` and everything in it; what cannot be represented is kept verbatim in `extra`. */
export function protectionDomain(ctx: ImportCtx, el: XmlElement, key: string, isChild: boolean): ProtectionDomain {
  const r = ctx.reader(el);
  const name = r.req('name');
  key = `${key}${name}`;
  ctx.place(key, el);
  const pd = put({ name, programImage: '', maps: [], irqs: [], extra: [] } as ProtectionDomain, {
    id: isChild ? r.num('id') : undefined,
    setvarId: isChild ? r.str('setvar_id') : undefined,
    priority: r.num('priority'),
    budget: r.num('budget'),
    period: r.num('period'),
    passive: r.bool('passive'),
    stackSize: r.num('stack_size'),
    smc: r.bool('smc'),
    cpu: r.num('cpu'),
    fpu: r.bool('fpu'),
    domain: r.str('domain'),
  });
  r.done();
  let image = false;
  const trailing = eachChild(el, (c, comments) => {
    const at = (kind: string, n: number) => `${key}/${kind}[${n}]`;
    const keep = (reason: string) => {
      ctx.note(c, `<${c.name}> kept as written (${reason})`);
      pd.extra.push(...(comments ?? []).map(ctx.rawComment), ctx.raw(c));
    };
    try {
      switch (c.name) {
        case 'program_image': {
          if (image) return keep('a second program_image');
          const cr = ctx.reader(c);
          ctx.place(`${key}/program_image`, c);
          pd.programImage = cr.req('path');
          const pfs = cr.str('path_for_symbols');
          if (pfs !== undefined) pd.pathForSymbols = pfs;
          cr.done();
          image = true;
          break;
        }
        case 'map':
          pd.maps.push(withComments(mapEntry(ctx, c, at('map', pd.maps.length)), comments));
          break;
        case 'irq':
          pd.irqs.push(withComments(irqEntry(ctx, c, at('irq', pd.irqs.length)), comments));
          break;
        case 'ioport': {
          const cr = ctx.reader(c);
          ctx.place(at('ioport', pd.ioports?.length ?? 0), c);
          const p = put({ id: cr.dec('id') ?? ctx.fail(c, "Missing required attribute 'id'"), addr: cr.num('addr') ?? ctx.fail(c, "Missing required attribute 'addr'"), size: cr.dec('size') ?? ctx.fail(c, "Missing required attribute 'size'") } as IoPort, { setvarId: cr.str('setvar_id'), setvarAddr: cr.str('setvar_addr') });
          cr.done();
          (pd.ioports ??= []).push(withComments(p, comments));
          break;
        }
        case 'setvar': {
          const cr = ctx.reader(c);
          ctx.place(at('setvar', pd.setvars?.length ?? 0), c);
          const s = { symbol: cr.req('symbol'), regionPaddr: cr.req('region_paddr') };
          cr.done();
          (pd.setvars ??= []).push(withComments(s, comments));
          break;
        }
        case 'protection_domain':
          (pd.children ??= []).push(withComments(protectionDomain(ctx, c, `${key}/pd:`, true), comments));
          break;
        case 'virtual_machine':
          if (pd.virtualMachine) return keep('a second virtual_machine');
          pd.virtualMachine = withComments(virtualMachine(ctx, c, `${key}/vm`), comments);
          break;
        case 'cspace': {
          if (pd.cspace) return keep('a second cspace');
          const caps: CapMap[] = [];
          ctx.reader(c).done();
          eachChild(c, (cap, capComments) => {
            const type = ({ cap_tcb: 'tcb', cap_sc: 'sc', cap_vspace: 'vspace' } as const)[cap.name as 'cap_tcb'];
            if (!type) throw new Unrepresentable(`<${cap.name}>`);
            const cr = ctx.reader(cap);
            ctx.place(`${key}/cspace[${caps.length}]`, cap);
            const m = { type, slot: cr.num('slot') ?? ctx.fail(cap, "Missing required attribute 'slot'"), pd: cr.req('pd') };
            cr.done();
            caps.push(withComments(m, capComments));
          });
          pd.cspace = caps;
          break;
        }
        default:
          keep('not a Microkit 2.3 element');
      }
    } catch (e) {
      if (!(e instanceof Unrepresentable)) throw e;
      keep(e.message);
    }
  });
  pd.extra.push(...trailing.map(ctx.rawComment));
  return pd;
}
