/* Skeleton of the "client" protection domain (sddf-serial.system); the real program comes from
 * sDDF (github.com/au-ts/sddf): drivers/serial/arm (the PL011 driver), serial/components/virt_tx.c and virt_rx.c, and its serial queue library. */
#include <stdint.h>
#include <microkit.h>

#define CH_SERIAL_VIRT_TX 0 /* channel to serial_virt_tx */
#define CH_SERIAL_VIRT_RX 1 /* channel to serial_virt_rx */

uintptr_t rx_queue; /* patched by Microkit (setvar in the .system) */
uintptr_t tx_queue; /* patched by Microkit (setvar in the .system) */
uintptr_t rx_data; /* patched by Microkit (setvar in the .system) */
uintptr_t tx_data; /* patched by Microkit (setvar in the .system) */

void init(void)
{
    microkit_dbg_puts("client: started (skeleton)\n");
}

void notified(microkit_channel ch)
{
    switch (ch) {
    case CH_SERIAL_VIRT_TX:
        break;
    case CH_SERIAL_VIRT_RX:
        break;
    default:
        microkit_dbg_puts("client: unexpected notification\n");
        break;
    }
}
