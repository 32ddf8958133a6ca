/* cc.h: lwIP's compiler and platform port for building lwIP's own unit tests on
 * the host (mk/lwip-unit.mk). lwIP includes it as "arch/cc.h". The kernel's
 * freestanding port is separate (chapter 6). */
#ifndef COPS_LWIP_HOST_CC_H
#define COPS_LWIP_HOST_CC_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

/* The host's own struct timeval and errno values (the socket tests use them). */
#define LWIP_TIMEVAL_PRIVATE 0
#define LWIP_ERRNO_STDINCLUDE 1

/* Diagnostics go to stdout; a failed assertion stops the test binary at once. */
#define LWIP_PLATFORM_DIAG(x) \
    do {                      \
        printf x;             \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x)                                                          \
    do {                                                                                 \
        printf("lwIP assertion \"%s\" failed at line %d in %s\n", x, __LINE__, __FILE__); \
        fflush(NULL);                                                                    \
        abort();                                                                         \
    } while (0)

/* The unit tests need a random source only for ports and ids. */
#define LWIP_RAND() ((u32_t)rand())

#endif
