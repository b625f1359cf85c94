/* Skeleton of the "serial_driver" protection domain (sddf-serial.system); the real program comes from
 * sDDF (github.com/au-ts/sddf): drivers/serial/arm (the PL011 driver), serial/components/virt_tx.c and virt_rx.c, and its serial queue library. */
#include <stdint.h>
#include <microkit.h>

#define CH_SERIAL_VIRT_TX 1 /* channel to serial_virt_tx */
#define CH_SERIAL_VIRT_RX 2 /* channel to serial_virt_rx */
#define IRQ_33 0 /* interrupt 33 (GIC INTID) */

uintptr_t uart_base; /* patched by Microkit (setvar in the .system) */
uintptr_t rx_queue; /* patched by Microkit (setvar in the .system) */
uintptr_t tx_queue; /* patched by Microkit (setvar in the .system) */
uintptr_t rx_data; /* patched by Microkit (setvar in the .system) */
uintptr_t tx_data; /* patched by Microkit (setvar in the .system) */

void init(void)
{
    microkit_dbg_puts("serial_driver: started (skeleton)\n");
}

void notified(microkit_channel ch)
{
    switch (ch) {
    case CH_SERIAL_VIRT_TX:
        break;
    case CH_SERIAL_VIRT_RX:
        break;
    case IRQ_33:
        microkit_irq_ack(ch);
        break;
    default:
        microkit_dbg_puts("serial_driver: unexpected notification\n");
        break;
    }
}
