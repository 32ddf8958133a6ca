/// @file stack.hpp
/// @brief The kernel's TCP/IP stack: lwIP 2.1.3 (raw API, NO_SYS=1), its interfaces,
/// and the network coroutine that drives it.
///
/// **Who may call into lwIP.** lwIP has no locks of its own. The kernel enters it
/// only while holding the one stack lock (a StackGuard), from a coroutine or a
/// thread, never from an interrupt handler, and never across a `co_await`: the lock
/// is a spin lock that masks the holder's interrupts. The rule is checked:
/// - lwIP calls LWIP_ASSERT_CORE_LOCKED() at each of its entries; the kit's port
///   panics there unless the calling hart holds the stack lock;
/// - the network coroutine and every socket call check that they do not hold it
///   before they wait (net::verify_not_holding()).
///
/// **The network coroutine** (one kernel coroutine, started at boot) does
/// everything lwIP needs done without a caller: it hands the frames the NICs
/// received to lwIP, runs lwIP's timers (sys_check_timeouts), and sleeps for
/// sys_timeouts_sleeptime() or until a NIC's interrupt wakes it. Packets a call sends
/// to the guest itself (127.0.0.1, or a NIC's own address) are delivered when that
/// call's StackGuard ends, in the caller's context.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cops/lib/result.hpp"
#include "cops/net/link.hpp"
#include "cops/sync/spinlock.hpp"

namespace cops::net {

/// The lock around lwIP: a spin lock that knows which hart holds it.
class StackLock {
public:
    /// Spins until this hart holds it (interrupts off until unlock()).
    void lock();
    /// Releases it.
    void unlock();
    /// True if the calling hart holds it.
    bool held_here() const;

private:
    sync::SpinLock lock_;
    volatile std::int32_t holder_ = -1;  // hart index, -1: nobody
};

/// The one stack lock.
StackLock& stack_lock();

/// Holds the stack lock for a scope. When it ends, packets that lwIP queued on a
/// loopback path meanwhile are delivered (netif_poll_all), still under the lock.
class [[nodiscard]] StackGuard {
public:
    StackGuard();
    ~StackGuard();
    StackGuard(const StackGuard&) = delete;
    StackGuard& operator=(const StackGuard&) = delete;
};

/// Panics if the calling hart holds the stack lock (call before any wait).
void verify_not_holding(const char* where);

/// Wakes the network coroutine (any context, also an interrupt handler).
void kick();

/// Counters of the stack (for net_info(), tests and benchmarks).
struct NetCounters {
    std::uint32_t sockets = 0;         ///< sockets open
    std::uint32_t tcp_pcbs = 0;        ///< lwIP TCP control blocks in use (TIME_WAIT included)
    std::uint32_t time_wait = 0;       ///< of those, in TIME_WAIT
    std::uint32_t pbufs = 0;           ///< lwIP packet buffers in use (pool, heap, references)
    std::uint32_t nics = 0;            ///< network devices in the stack (virtio-net, AXI Ethernet)
    std::uint64_t frames_in = 0;       ///< frames received by the NICs
    std::uint64_t frames_out = 0;      ///< frames sent by the NICs
    std::uint64_t frames_dropped = 0;  ///< frames the drivers refused or lost to device errors
    std::uint64_t lwip_dropped = 0;    ///< packets lwIP dropped (link, ARP, IP, ICMP, TCP, UDP)
    std::uint64_t wakeups = 0;         ///< rounds of the network coroutine
};
/// The counters now.
NetCounters counters();

/// Sizes of lwIP's own per-connection state (for the server experiment's memory table).
struct LwipSizes {
    std::uint32_t tcp_pcb = 0;         ///< one connection's control block
    std::uint32_t tcp_pcb_listen = 0;  ///< a listening socket's
    std::uint32_t socket = 0;          ///< the kit's Socket and File around each pcb
};
/// The sizes, as compiled.
LwipSizes lwip_sizes();

/// Hands @p length bytes at @p frame to NIC @p nic's receive path as if the device had
/// received them (the driver's checks, then lwIP). For tests of malformed input.
/// False: no such NIC.
bool inject_frame(unsigned nic, const std::uint8_t* frame, std::size_t length);

/// Adds @p link as the stack's next interface, with the next address of the kit's
/// plan (abi::nic_address); the first one is the default route. Call after
/// start_stack (a driver's init call names it as a need). Returns its index.
/// Errors: OutOfMemory; Busy (the stack has its most interfaces); BadState (lwIP refused).
Result<unsigned> add_link(Link& link);

/// The NIC count (0: the stack runs on the loopback interface only).
unsigned nic_count();

/// Counts one socket opened (+1) or closed (-1).
void count_socket(int delta);

}  // namespace cops::net
