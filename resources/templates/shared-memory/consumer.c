/* The consumer: prints what the producer left in the shared page, then notifies it back on channel 0. */
#include <stdint.h>
#include <microkit.h>

#define PRODUCER 0

/* Set by Microkit to where "shared" is mapped, read-only here (setvar_vaddr="buffer"). */
uintptr_t buffer;

void init(void)
{
    microkit_dbg_puts("consumer: started\n");
}

void notified(microkit_channel ch)
{
    if (ch != PRODUCER) return;
    microkit_dbg_puts("consumer: got \"");
    microkit_dbg_puts((const char *)buffer);
    microkit_dbg_puts("\"\n");
    microkit_notify(PRODUCER);
}
