/* lwipopts.h: how the kit builds lwIP 2.1.3 into the chapter 6 kernel.
 *
 * NO_SYS=1 and the raw API: lwIP runs no threads of its own. The kernel enters it
 * only while holding the stack lock (kernel/net/stack.cpp says who and when), and
 * the network coroutine drives its timers and the loopback interface. Memory is
 * lwIP's own: a static heap and static pools, so that every pbuf and pcb can be
 * counted back after a test. */
#ifndef COPS_LWIPOPTS_H
#define COPS_LWIPOPTS_H

/* ---- the system: none ---------------------------------------------------- */
#define NO_SYS 1
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define SYS_LIGHTWEIGHT_PROT 0 /* one lock around every entry instead (stack.cpp) */
#define LWIP_TIMERS 1
/* The rule of net/stack.hpp, checked at every entry into lwIP (lwip_port.cpp). */
#ifdef __cplusplus
extern "C"
#endif
void cops_lwip_assert_core_locked(void);
#define LWIP_ASSERT_CORE_LOCKED() cops_lwip_assert_core_locked()

/* ---- memory: lwIP's own static heap and pools ---------------------------- */
#define MEM_ALIGNMENT 8 /* rv64: the default 1 would misalign pbufs */
#define MEM_SIZE (512 * 1024)
#define MEMP_NUM_PBUF 256
#define MEMP_NUM_TCP_PCB 320        /* both ends of the experiments' 128 connections, TIME_WAIT, spare */
#define MEMP_NUM_TCP_PCB_LISTEN 16
#define MEMP_NUM_TCP_SEG 1024
#define MEMP_NUM_UDP_PCB 4
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)
#define PBUF_POOL_SIZE 256
#define PBUF_POOL_BUFSIZE 1536
#define MEMP_OVERFLOW_CHECK 0
#define MEMP_SANITY_CHECK 0

/* ---- protocols ----------------------------------------------------------- */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define IP_REASSEMBLY 0
#define IP_FRAG 0
#define LWIP_ALTCP 0

/* ---- TCP ----------------------------------------------------------------- */
#define TCP_MSS 1460
#define TCP_WND (8 * TCP_MSS)
#define TCP_SND_BUF (8 * TCP_MSS)
#define TCP_SND_QUEUELEN ((4 * (TCP_SND_BUF) + (TCP_MSS - 1)) / (TCP_MSS))
#define TCP_LISTEN_BACKLOG 0 /* the socket keeps its own backlog (socket.hpp) */
#define SO_REUSE 1 /* a server may listen again on its port while old connections sit in TIME_WAIT */
#define LWIP_TCP_KEEPALIVE 0
#define TCP_QUEUE_OOSEQ 1
#define LWIP_TCP_TIMESTAMPS 0
#define LWIP_TCP_SACK_OUT 0
/* 2·MSL in TIME_WAIT; 60 s by default. The kit's tests open 1,000 connections. */
#define TCP_MSL 1000UL

/* ---- interfaces ---------------------------------------------------------- */
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_LOOPBACK_MAX_PBUFS 1024
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_SINGLE_NETIF 0
#define ETHARP_SUPPORT_STATIC_ENTRIES 1
#define ARP_QUEUEING 1
#define ETH_PAD_SIZE 0

/* Two NICs in one stack exchange frames over the wire only if routing sends them
 * out: an address owned by the other NIC would otherwise be looped back inside
 * lwIP. The route hook (stack.cpp) picks the NIC by the source address. */
#define LWIP_HOOK_FILENAME "cops_lwip_hooks.h"
#define LWIP_HOOK_IP4_ROUTE_SRC(src, dest) cops_lwip_route(src, dest)

/* ---- checksums: software both ways (QEMU's user networking offloads none) -- */
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_TCP 1
#define CHECKSUM_GEN_UDP 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_TCP 1
#define CHECKSUM_CHECK_UDP 1

/* ---- counters: lwIP's own, read by the tests ----------------------------- */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define MEM_STATS 1
#define MEMP_STATS 1
#define LINK_STATS 1
#define TCP_STATS 1
#define IP_STATS 1
#define ETHARP_STATS 1
#define LWIP_DEBUG 0

#endif
