/* Skeleton of the "CLIENT_VMM" protection domain (orin-agx-path-b.system); the real program comes from
 * sDDF network (components/net: copy, virt_rx, virt_tx; drivers/network for the MGBE) and libvmm with virtio-net for the client VM: the driver PD owns the MGBE, the guest sees only virtio-net. */
#include <stdint.h>
#include <microkit.h>

#define CH_CLIENT0_NET_COPIER 1 /* channel to client0_net_copier */
#define CH_NET_VIRT_TX 2 /* channel to net_virt_tx */

uintptr_t guest_ram_vaddr; /* patched by Microkit (setvar in the .system) */
uintptr_t rx_free; /* patched by Microkit (setvar in the .system) */
uintptr_t rx_active; /* patched by Microkit (setvar in the .system) */
uintptr_t tx_free; /* patched by Microkit (setvar in the .system) */
uintptr_t tx_active; /* patched by Microkit (setvar in the .system) */
uintptr_t rx_buffer_data_region; /* patched by Microkit (setvar in the .system) */
uintptr_t tx_buffer_data_region; /* patched by Microkit (setvar in the .system) */

void init(void)
{
    microkit_dbg_puts("CLIENT_VMM: started (skeleton)\n");
}

void notified(microkit_channel ch)
{
    switch (ch) {
    case CH_CLIENT0_NET_COPIER:
        break;
    case CH_NET_VIRT_TX:
        break;
    default:
        microkit_dbg_puts("CLIENT_VMM: unexpected notification\n");
        break;
    }
}
