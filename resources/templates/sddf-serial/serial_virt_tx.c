/* Skeleton of the "serial_virt_tx" protection domain (sddf-serial.system); the real program comes from
 * sDDF (github.com/au-ts/sddf): drivers/serial/arm (the PL011 driver), serial/components/virt_tx.c and virt_rx.c, and its serial queue library. */
#include <stdint.h>
#include <microkit.h>

#define CH_SERIAL_DRIVER 0 /* channel to serial_driver */
#define CH_CLIENT 1 /* channel to client */

uintptr_t tx_queue_drv; /* patched by Microkit (setvar in the .system) */
uintptr_t tx_data_drv; /* patched by Microkit (setvar in the .system) */
uintptr_t tx_queue_cli0; /* patched by Microkit (setvar in the .system) */
uintptr_t tx_data_cli0; /* patched by Microkit (setvar in the .system) */

void init(void)
{
    microkit_dbg_puts("serial_virt_tx: started (skeleton)\n");
}

void notified(microkit_channel ch)
{
    switch (ch) {
    case CH_SERIAL_DRIVER:
        break;
    case CH_CLIENT:
        break;
    default:
        microkit_dbg_puts("serial_virt_tx: unexpected notification\n");
        break;
    }
}
