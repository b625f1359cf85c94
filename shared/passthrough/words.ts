import { hex } from '../format/hex';

/**
 * Who reads what the engine says: the CLI's user changes a plan with its flags, the wizard's user with its steps and
 * fields. The findings and the report are written once; only the words for "change this" differ, from here. The
 * wizard's words are its step titles and field labels (renderer/src/features/wizard: WIZARD_STEPS, RisksStep, VmStep,
 * PreviewStep); a test holds the two in step.
 */
export type Audience = 'cli' | 'wizard';

export type Setting =
  /** Guest RAM at its guest-physical address (1:1). */
  | { kind: 'ram-phys'; address: bigint }
  /** The NIC behind a trusted driver. */
  | { kind: 'nic-path-b' }
  /** Which VM/VMM, when the system has several. */
  | { kind: 'which-vm' }
  /** Map the windows a binding gives to the hypervisor anyway. */
  | { kind: 'keep-hypervisor-windows' }
  /** Remove the guest nodes' clocks, resets and power domains. */
  | { kind: 'remove-clocks' }
  /** The KVM/Ghaf host overlay and QEMU arguments. */
  | { kind: 'kvm-extras' };

/** How the reader asks for a setting: `--ram-phys 0xc2000000`, or `step 4 (VM): tick “1:1”`. */
export function howToSet(s: Setting, audience: Audience = 'cli'): string {
  if (audience === 'cli') {
    switch (s.kind) {
      case 'ram-phys':
        return `--ram-phys ${hex(s.address)}`;
      case 'nic-path-b':
        return '--nic-route path-b';
      case 'which-vm':
        return '--vm NAME or --vmm PD';
      case 'keep-hypervisor-windows':
        return '--keep-hypervisor-windows';
      case 'remove-clocks':
        return '--clocks remove';
      case 'kvm-extras':
        return '--kvm-extras';
    }
  }
  switch (s.kind) {
    case 'ram-phys':
      return `step 4 (VM): tick “1:1” (guest RAM at physical ${hex(s.address)})`;
    case 'nic-path-b':
      return 'step 3 (Dependencies and risks): “The NIC goes…” behind a trusted driver PD (Path B)';
    case 'which-vm':
      return 'step 4 (VM): choose it in the “VMM” list';
    case 'keep-hypervisor-windows':
      return 'step 3 (Dependencies and risks): tick “Map the hypervisor’s windows into the guest anyway”';
    case 'remove-clocks':
      return 'step 3 (Dependencies and risks): “Clocks, resets and power domains in the guest’s nodes”: removed';
    case 'kvm-extras':
      return 'step 5 (Preview): tick “KVM/Ghaf files too”';
  }
}
