/* cops_lwip_hooks.h: the hooks lwipopts.h names (LWIP_HOOK_FILENAME); defined in
 * the kernel's network stack (kernel/net/stack.cpp). */
#ifndef COPS_LWIP_HOOKS_H
#define COPS_LWIP_HOOKS_H

#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"

#ifdef __cplusplus
extern "C" {
#endif
/** The NIC that owns @p src (so two NICs of one guest talk over the wire), else NULL. */
struct netif* cops_lwip_route(const ip4_addr_t* src, const ip4_addr_t* dest);
#ifdef __cplusplus
}
#endif

#endif
