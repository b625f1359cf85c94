/* The producer: writes a message into the shared page and notifies the consumer on channel 0. */
#include <stdint.h>
#include <microkit.h>

#define CONSUMER 0

/* Set by Microkit to where "shared" is mapped (setvar_vaddr="buffer" in the .system). */
uintptr_t buffer;

static unsigned rounds;

static void produce(void)
{
    volatile char *out = (volatile char *)buffer;
    const char *msg = "ping from producer";
    unsigned i = 0;
    for (; msg[i]; i++) out[i] = msg[i];
    out[i] = '\0';
    microkit_notify(CONSUMER);
}

void init(void)
{
    microkit_dbg_puts("producer: started\n");
    produce();
}

void notified(microkit_channel ch)
{
    /* The consumer has read the message: write the next one, a few times. */
    if (ch == CONSUMER && ++rounds < 3) produce();
}
