/* Skeleton of the "net_virt_rx" protection domain (orin-agx-path-b.system); the real program comes from
 * sDDF network (components/net: copy, virt_rx, virt_tx; drivers/network for the MGBE) and libvmm with virtio-net for the client VM: the driver PD owns the MGBE, the guest sees only virtio-net. */
#include <stdint.h>
#include <microkit.h>

#define CH_ETH_DRIVER 0 /* channel to eth_driver */
#define CH_CLIENT0_NET_COPIER 1 /* channel to client0_net_copier */

uintptr_t rx_free_drv; /* patched by Microkit (setvar in the .system) */
uintptr_t rx_active_drv; /* patched by Microkit (setvar in the .system) */
uintptr_t rx_free_cli0; /* patched by Microkit (setvar in the .system) */
uintptr_t rx_active_cli0; /* patched by Microkit (setvar in the .system) */
uintptr_t buffer_data_vaddr; /* patched by Microkit (setvar in the .system) */
uintptr_t buffer_data_paddr; /* patched by Microkit (setvar in the .system) */

void init(void)
{
    microkit_dbg_puts("net_virt_rx: started (skeleton)\n");
}

void notified(microkit_channel ch)
{
    switch (ch) {
    case CH_ETH_DRIVER:
        break;
    case CH_CLIENT0_NET_COPIER:
        break;
    default:
        microkit_dbg_puts("net_virt_rx: unexpected notification\n");
        break;
    }
}
