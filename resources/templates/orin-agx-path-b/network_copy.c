/* Skeleton of the "client0_net_copier" protection domain (orin-agx-path-b.system); the real program comes from
 * sDDF network (components/net: copy, virt_rx, virt_tx; drivers/network for the MGBE) and libvmm with virtio-net for the client VM: the driver PD owns the MGBE, the guest sees only virtio-net. */
#include <stdint.h>
#include <microkit.h>

#define CH_NET_VIRT_RX 0 /* channel to net_virt_rx */
#define CH_CLIENT_VMM 1 /* channel to CLIENT_VMM */

uintptr_t rx_free_virt; /* patched by Microkit (setvar in the .system) */
uintptr_t rx_active_virt; /* patched by Microkit (setvar in the .system) */
uintptr_t rx_free_cli; /* patched by Microkit (setvar in the .system) */
uintptr_t rx_active_cli; /* patched by Microkit (setvar in the .system) */
uintptr_t virt_buffer_data_region; /* patched by Microkit (setvar in the .system) */
uintptr_t cli_buffer_data_region; /* patched by Microkit (setvar in the .system) */

void init(void)
{
    microkit_dbg_puts("client0_net_copier: started (skeleton)\n");
}

void notified(microkit_channel ch)
{
    switch (ch) {
    case CH_NET_VIRT_RX:
        break;
    case CH_CLIENT_VMM:
        break;
    default:
        microkit_dbg_puts("client0_net_copier: unexpected notification\n");
        break;
    }
}
