/* Skeleton of the "VMM" protection domain (libvmm-linux.system); the real program comes from
 * libvmm (github.com/au-ts/libvmm): examples/simple/vmm.c with the guest kernel, DTB and initrd images linked in. */
#include <stdint.h>
#include <microkit.h>

#define IRQ_33 1 /* interrupt 33 (GIC INTID) */

uintptr_t guest_ram_vaddr; /* patched by Microkit (setvar in the .system) */

void init(void)
{
    microkit_dbg_puts("VMM: started (skeleton)\n");
}

void notified(microkit_channel ch)
{
    switch (ch) {
    case IRQ_33:
        microkit_irq_ack(ch);
        break;
    default:
        microkit_dbg_puts("VMM: unexpected notification\n");
        break;
    }
}
