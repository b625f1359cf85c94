/* Skeleton of the "eth_driver" protection domain (orin-agx-path-b.system); the real program comes from
 * sDDF network (components/net: copy, virt_rx, virt_tx; drivers/network for the MGBE) and libvmm with virtio-net for the client VM: the driver PD owns the MGBE, the guest sees only virtio-net. */
#include <stdint.h>
#include <microkit.h>

#define CH_NET_VIRT_RX 1 /* channel to net_virt_rx */
#define CH_NET_VIRT_TX 2 /* channel to net_virt_tx */
#define IRQ_416 0 /* interrupt 416 (GIC INTID) */
#define IRQ_208 3 /* interrupt 208 (GIC INTID) */

uintptr_t eth_hyp_regs; /* patched by Microkit (setvar in the .system) */
uintptr_t eth_mac_regs; /* patched by Microkit (setvar in the .system) */
uintptr_t eth_xpcs_regs; /* patched by Microkit (setvar in the .system) */
uintptr_t bpmp_tx; /* patched by Microkit (setvar in the .system) */
uintptr_t bpmp_rx; /* patched by Microkit (setvar in the .system) */
uintptr_t hsp_dbell; /* patched by Microkit (setvar in the .system) */
uintptr_t hw_ring_buffer_vaddr; /* patched by Microkit (setvar in the .system) */
uintptr_t rx_free; /* patched by Microkit (setvar in the .system) */
uintptr_t rx_active; /* patched by Microkit (setvar in the .system) */
uintptr_t tx_free; /* patched by Microkit (setvar in the .system) */
uintptr_t tx_active; /* patched by Microkit (setvar in the .system) */
uintptr_t hw_ring_buffer_paddr; /* patched by Microkit (setvar in the .system) */

void init(void)
{
    microkit_dbg_puts("eth_driver: started (skeleton)\n");
}

void notified(microkit_channel ch)
{
    switch (ch) {
    case CH_NET_VIRT_RX:
        break;
    case CH_NET_VIRT_TX:
        break;
    case IRQ_416:
        microkit_irq_ack(ch);
        break;
    case IRQ_208:
        microkit_irq_ack(ch);
        break;
    default:
        microkit_dbg_puts("eth_driver: unexpected notification\n");
        break;
    }
}
