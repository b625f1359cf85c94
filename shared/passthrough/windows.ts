/**
 * Register windows a guest must not get by default: the ones a device's binding gives to the hypervisor (or to a
 * server outside the VM). Each rule says why, from the binding and the Linux driver, so the report can explain
 * what keeping the window out costs.
 */
export interface ReservedWindowRule {
  /** Device compatibles the rule applies to (any of them). */
  compatible: RegExp;
  /** `reg-names` entries kept out of the guest. */
  names: string[];
  reason(name: string): string;
}

const MGBE_HYP =
  "the binding (nvidia,tegra234-mgbe.yaml) lists it as the hypervisor's window; Linux's dwmac-tegra writes the MGBE stream ID (MGBE_WRAP_AXI_ASID0_CTRL) through it, so a guest holding it picks the SMMU stream its DMA uses. Without it dwmac-tegra does not probe (it maps the window by name): use the trusted-driver route (Path B: an eth_driver PD owns all the windows, the guest gets virtio-net) or keep the window on purpose";

/** Known bindings first; the last rule is the generic one (any window named `hypervisor`). */
export const RESERVED_WINDOWS: ReservedWindowRule[] = [
  { compatible: /^nvidia,tegra234-mgbe$/, names: ['hypervisor'], reason: () => MGBE_HYP },
  {
    // nvidia,tegra20-host1x.yaml: "common" is the "region used by host1x server", "hypervisor" the "region used by
    // the hypervisor", "vm" the "region assigned to the virtual machine"; since the 2026 change "Make non-vm
    // registers optional" a guest may have `vm` alone, and the host1x driver runs without the other two.
    compatible: /^nvidia,tegra(186|194|234)-host1x$/,
    names: ['hypervisor', 'common'],
    reason: (name) =>
      `the host1x binding (nvidia,tegra20-host1x.yaml) gives '${name}' to ${name === 'common' ? 'the host1x server' : 'the hypervisor'}: it configures which channels and syncpoints each VM's 'vm' window reaches. A guest runs on 'vm' alone with a host1x driver that has "gpu: host1x: Support running without hv/common registers" (2026); older drivers fail to probe without both windows`,
  },
  {
    compatible: /./,
    names: ['hypervisor'],
    reason: () => "the device's binding names this window for the hypervisor: it controls what the guest-facing windows may do",
  },
];

/** Why a register window stays out of the guest (undefined: it may go in). */
export function reservedWindow(compatible: readonly string[], regName: string | undefined): string | undefined {
  if (!regName) return undefined;
  for (const rule of RESERVED_WINDOWS) {
    if (!compatible.some((c) => rule.compatible.test(c))) continue;
    if (rule.names.includes(regName)) return rule.reason(regName);
    // A specific rule that matched the device decides; the generic one still catches `hypervisor`.
  }
  return undefined;
}
