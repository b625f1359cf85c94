/**
 * The passthrough engine: pure functions a wizard (or the CLI) calls step by step. Nothing here reads files; the
 * host compiles the tree (shared/dt) and reads the dt-bindings headers its preprocessing opened.
 *
 * 1. Device tree: `indexTree(tree)` (shared/dt/query), and `parseBindingHeader(path, text)` for each header the
 *    tree's preprocessing opened under `dt-bindings/` (`isBindingHeaderPath`): the names of clocks, resets, power
 *    domains and stream IDs. A DTB has no headers: the board pack's `bindingNames` are the fallback.
 * 2. Devices: `catalogue(board, idx?)` lists every device (the tree's, plus board-pack devices the tree lacks),
 *    `groupDevices` groups them (serial, ethernet, display/host1x, i2c, spi, gpio, ...), `searchDevices` filters by
 *    name, label, compatible or an address inside a window. Each entry has its windows (reg-names; `reserved` says
 *    why a window stays out of a guest), its interrupts as SPI/PPI and INTID, its status, and `notPassable`.
 * 3. Dependencies and risks: `deviceFacts(entry, {idx, board, tables})`: clocks, resets and power domains by name,
 *    SMMU streams, the supplier closure, the parent device (VIC under host1x), and `risks` (hypervisor windows, DMA and
 *    SMMU bypass, firmware resources, pin control, the NIC's two routes).
 * 4. VM and plan: `planPassthrough({board, devices, dt, tables, system, vm, options})` picks the system's VMM and VM or
 *    plans new ones (`vm`: names, guest RAM, vCPUs, VMM priority and program image), and every region, map and IRQ;
 *    `options`: hypervisor windows out/kept, clocks kept (proxied) or removed, NIC direct or Path B. `plan.messages`
 *    are the findings, each with a `code` and the device.
 * 5. Preview: `planAdditions(plan, input)` (the elements added), `passthroughSystem` (the whole system after it),
 *    `renderPassthrough(plan, input, {fragment, kvmExtras})` (passthrough.system, guest.dts, vmm_irqs.c, report.md,
 *    and on request the KVM/Ghaf host overlay and QEMU arguments).
 * 6. Apply: `passthroughEdit(plan, input)` is one undoable Edit of the open document; document.ts writes it into the
 *    user's text with only the bytes the additions need. `previewPassthrough` (a wizard's steps 5 and 6) gives that
 *    edit with its diff, the files, and what keeps Apply off (plan errors, validator errors, a guest DTS that does not
 *    compile).
 *
 * IRQ numbers: shared/model/intid.ts classifies any INTID (SGI/PPI/SPI, the device raising it, kernel-owned PPIs).
 */
export { isBindingHeaderPath, nameSpecifier, parseBindingHeader, type BindingTable, type SpecifierKind } from './bindings';
export { catalogue, findDevice, groupDevices, GROUP_TITLES, intidSources, listDevices, searchDevices, type DeviceEntry, type DeviceGroup, type IrqFact, type RegWindow } from './devices';
export { deviceFacts, type DeviceFacts, type NamedSpecifier, type Risk, type RiskCode, type StreamFact } from './facts';
export { planPassthrough, type Plan, type PlanInput, type PlanMessage, type PlanOptions, type PlannedDevice, type PlannedIrq, type PlannedRegion } from './plan';
export { resolveVmTarget, vmmCandidates, type VmmCandidate, type VmSpec, type VmTarget } from './target';
export { applyAdditions, passthroughEdit, passthroughSystem, planAdditions } from './additions';
export { renderPassthrough, systemFragment, wholeSystem, type PassthroughFiles, type RenderOptions } from './render';
export { RESERVED_WINDOWS, reservedWindow } from './windows';
export { PATH_B, type PathBPlan } from './pathB';
export { checkGuestDts, previewPassthrough, type GuestCheck, type PassthroughPreview, type PreviewInput, type WizardChoice } from './preview';
export { howToSet, type Audience, type Setting } from './words';
