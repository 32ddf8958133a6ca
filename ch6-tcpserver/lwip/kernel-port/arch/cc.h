/* cc.h: lwIP's compiler and platform port for the chapter 6 kernel (freestanding,
 * rv64gc, picolibc's string functions). lwIP includes it as "arch/cc.h". */
#ifndef COPS_LWIP_KERNEL_CC_H
#define COPS_LWIP_KERNEL_CC_H

#include <stddef.h>
#include <stdint.h>

/* No <inttypes.h>, <ctype.h> or errno.h from a C library: lwIP's own fallbacks. */
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H 1
#define LWIP_PROVIDE_ERRNO 1
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "lu"

#ifdef __cplusplus
extern "C" {
#endif
/** Prints an lwIP diagnostic on the kernel console (kernel/net/lwip_port.cpp). */
void cops_lwip_diag(const char* format, ...) __attribute__((format(printf, 1, 2)));
/** Panics the kernel, naming lwIP's failed assertion and where it is. */
void cops_lwip_assert(const char* message, const char* file, int line) __attribute__((noreturn));
/** A pseudo-random word (ports, ISNs, ids). */
uint32_t cops_lwip_rand(void);
#ifdef __cplusplus
}
#endif

#define LWIP_PLATFORM_DIAG(x) \
    do {                      \
        cops_lwip_diag x;     \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x) cops_lwip_assert(x, __FILE__, __LINE__)
#define LWIP_RAND() cops_lwip_rand()

#endif
