import { defaultGuestDir, guestKernelIn, type GuestKernelFiles } from '../../electron/services/guestKernel';

/**
 * Debian's arm64 kernel and the busybox initrd (`sel4-studio guest-kernel`, which .ci/run runs): undefined on a
 * developer machine without them (the tests skip), an error under CI=true (the tests must run there).
 */
export function guestKernelForTests(): GuestKernelFiles | undefined {
  const g = guestKernelIn(defaultGuestDir());
  if (!g && process.env.CI === 'true') throw new Error(`the Debian arm64 guest kernel is required in CI: run sel4-studio guest-kernel (looked in ${defaultGuestDir()})`);
  return g;
}
