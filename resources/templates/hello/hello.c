/* The "hello" protection domain: prints once at start-up (Microkit tutorial, first step). */
#include <microkit.h>

void init(void)
{
    microkit_dbg_puts("hello, world\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
