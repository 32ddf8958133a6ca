/// @file stack.cpp
/// @brief lwIP in the kernel: the stack lock, the interfaces (loopback and one lwIP
/// netif per Link: virtio-net's NICs, the board's AXI Ethernet), the network
/// coroutine, and the counters.
#include "cops/net/stack.hpp"

#include <new>

#include "cops/abi/net_abi.hpp"
#include "cops/boot/boot_info.hpp"
#include "cops/dev/plic.hpp"
#include "cops/dev/timer.hpp"
#include "cops/init/initcall.hpp"
#include "cops/io/readiness.hpp"
#include "cops/lib/console.hpp"
#include "cops/lib/panic.hpp"
#include "cops/net/socket.hpp"
#include "cops/net/virtio_net.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/smp/hart.hpp"

extern "C" {
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/stats.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"
}

namespace cops::net {

namespace {
/// Most NICs the stack drives.
constexpr unsigned kMaxNics = 4;

/// One device in the stack: its driver and its lwIP netif.
struct Interface {
    Link* link = nullptr;
    struct netif netif {};
};

StackLock g_lock;
Interface* g_interfaces[kMaxNics] = {};
unsigned g_nic_count = 0;
std::atomic<std::uint32_t> g_sockets{0};
std::atomic<std::uint64_t> g_wakeups{0};

ip4_addr_t address(std::uint32_t host_order) {
    ip4_addr_t a;
    ip4_addr_set_u32(&a, lwip_htonl(host_order));
    return a;
}

/// lwIP's linkoutput of a NIC: the frame, gathered from its pbufs, into a send buffer.
err_t nic_output(struct netif* n, struct pbuf* p) {
    Link& link = *static_cast<Interface*>(n->state)->link;
    if (p->tot_len > kMaxFrame) {
        return ERR_BUF;
    }
    std::uint8_t* buffer = link.send_buffer();
    if (buffer == nullptr) {
        return ERR_MEM;  // TCP sends it again later
    }
    pbuf_copy_partial(p, buffer, p->tot_len, 0);
    link.submit(p->tot_len);
    return ERR_OK;
}

err_t nic_netif_init(struct netif* n) {
    const Link& link = *static_cast<Interface*>(n->state)->link;
    n->name[0] = 'e';
    n->name[1] = 'n';
    n->output = etharp_output;
    n->linkoutput = nic_output;
    n->mtu = 1500;
    n->hwaddr_len = ETH_HWADDR_LEN;
    for (unsigned i = 0; i < ETH_HWADDR_LEN; ++i) {
        n->hwaddr[i] = link.mac()[i];
    }
    n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
    return ERR_OK;
}

/// A received frame into lwIP: copied into a pool pbuf, then the netif's input.
bool deliver_frame(void* context, const std::uint8_t* frame, std::size_t length) {
    struct netif* n = static_cast<struct netif*>(context);
    struct pbuf* p = pbuf_alloc(PBUF_RAW, static_cast<u16_t>(length), PBUF_POOL);
    if (p == nullptr) {
        return false;
    }
    if (pbuf_take(p, frame, static_cast<u16_t>(length)) != ERR_OK || n->input(p, n) != ERR_OK) {
        pbuf_free(p);
        return false;
    }
    return true;
}

/// Delivers what lwIP queued on loopback paths (127.0.0.1, a NIC's own address).
/// A bounded number of rounds: each may queue answers; the network coroutine takes
/// what is left.
void deliver_looped() {
    for (unsigned round = 0; round < 16; ++round) {
        bool queued = false;
        struct netif* n;
        NETIF_FOREACH(n) { queued = queued || n->loop_first != nullptr; }
        if (!queued) {
            return;
        }
        netif_poll_all();
    }
    kick();
}

/// Kernel ticks for @p ms milliseconds, at least one.
std::uint64_t ticks_for_ms(std::uint32_t ms) {
    const std::uint64_t per_tick = dev::timer::period();  // timebase units per tick
    const std::uint64_t units = std::uint64_t{ms} * (boot::info().timebase_hz / 1000);
    const std::uint64_t t = per_tick != 0 ? units / per_tick : ms;
    return t == 0 ? 1 : t;
}

/// What wakes the network coroutine: kick() signals it (a NIC's interrupt, a tick
/// past lwIP's next timeout, a loopback queue left over).
io::Readiness g_wake;
/// The tick at which lwIP's next timeout is due (~0: none); the tick hook kicks then.
std::atomic<std::uint64_t> g_due_tick{~std::uint64_t{0}};
const std::atomic<std::uint32_t> g_never_cancelled{0};

void on_tick(std::uint64_t now) {
    std::uint64_t due = g_due_tick.load(std::memory_order_relaxed);
    if (now >= due && g_due_tick.compare_exchange_strong(due, ~std::uint64_t{0}, std::memory_order_acq_rel)) {
        kick();
    }
}

/// The network coroutine: frames in, timers, loopback; then wait until the next
/// lwIP timeout is due or a NIC's interrupt kicks it. (It waits on an event, not in
/// the timer queue: the sleepers ch2's tests count are theirs alone.)
sched::Task<void> network_loop() {
    for (;;) {
        const std::uint32_t seen = g_wake.sequence();  // before looking: no kick is lost
        std::uint32_t sleep_ms;
        {
            StackGuard g;
            g_wakeups.fetch_add(1, std::memory_order_relaxed);
            for (unsigned i = 0; i < g_nic_count; ++i) {
                g_interfaces[i]->link->receive(deliver_frame, &g_interfaces[i]->netif);
            }
            sys_check_timeouts();
            sleep_ms = sys_timeouts_sleeptime();
        }
        verify_not_holding("the network coroutine's wait");
        if (sleep_ms != SYS_TIMEOUTS_SLEEPTIME_INFINITE) {
            g_due_tick.store(dev::timer::now_ticks() + ticks_for_ms(sleep_ms), std::memory_order_release);
        }
        co_await g_wake.changed_since(seen, g_never_cancelled);
    }
}

/// The virtio-net devices QEMU gives, in order, as the stack's first links.
void add_virtio_nics() {
    for (unsigned i = 0; i < kMaxNics; ++i) {
        const auto found = dev::virtio::find_device(dev::virtio::DeviceType::Network, i);
        if (!found) {
            if (found.error() == Error::BadState) {
                console::println("virtio-net: the device is not the legacy interface (drop force-legacy=false)");
            }
            return;
        }
        auto* nic = new (std::nothrow) Nic;
        if (nic == nullptr) {
            console::println("virtio-net: no memory for NIC {}", i);
            return;
        }
        if (const Status s = nic->start(found.value()); !s) {
            console::println("virtio-net: cannot start the NIC at {:#x}: {}", found.value().regs.base(),
                             error_name(s.error()));
            return;  // (its memory stays: the device may still own its queues)
        }
        if (const auto added = add_link(*nic); !added) {
            console::println("virtio-net: the stack refused NIC {}: {}", i, error_name(added.error()));
            return;
        }
        if (!dev::plic::attach(found.value().irq, Nic::on_interrupt, nic, 0)) {
            console::println("virtio-net: cannot attach interrupt {}", found.value().irq);
        }
    }
}

void start_stack() {
    {
        StackGuard g;
        lwip_init();  // also brings up the loopback interface, 127.0.0.1
    }
    add_virtio_nics();
    if (const auto cid = sched::spawn(network_loop(), sched::Priority::highest()); !cid) {
        panic("net: cannot start the network coroutine: {}", error_name(cid.error()));
    }
    if (!dev::timer::add_tick_hook(on_tick)) {
        panic("net: no tick hook left for lwIP's timeouts");
    }
}
COPS_INITCALL(late, start_stack);

std::uint32_t list_length(const struct tcp_pcb* pcb) {
    std::uint32_t n = 0;
    for (; pcb != nullptr; pcb = pcb->next) {
        ++n;
    }
    return n;
}
}  // namespace

Result<unsigned> add_link(Link& link) {
    auto* itf = new (std::nothrow) Interface;
    if (itf == nullptr) {
        return Error::OutOfMemory;
    }
    itf->link = &link;
    StackGuard g;  // the network coroutine reads the interfaces under the lock too
    if (g_nic_count == kMaxNics) {
        delete itf;
        return Error::Busy;
    }
    const unsigned index = g_nic_count;
    const ip4_addr_t ip = address(abi::nic_address(index));
    const ip4_addr_t mask = address(abi::ipv4(255, 255, 255, 0));
    const ip4_addr_t gw = address(abi::kGateway);
    if (netif_add(&itf->netif, &ip, &mask, &gw, itf, nic_netif_init, ethernet_input) == nullptr) {
        delete itf;
        return Error::BadState;
    }
    if (index == 0) {
        netif_set_default(&itf->netif);
    }
    netif_set_up(&itf->netif);
    g_interfaces[index] = itf;
    g_nic_count = index + 1;
    return index;
}

void StackLock::lock() {
    lock_.lock();
    holder_ = static_cast<std::int32_t>(smp::this_hart().index);
}

void StackLock::unlock() {
    holder_ = -1;
    lock_.unlock();
}

bool StackLock::held_here() const { return holder_ == static_cast<std::int32_t>(smp::this_hart().index); }

StackLock& stack_lock() { return g_lock; }

StackGuard::StackGuard() {
    if (g_lock.held_here()) {
        panic("net: the stack lock is taken twice on one hart (a StackGuard inside another)");
    }
    g_lock.lock();
}

StackGuard::~StackGuard() {
    deliver_looped();
    g_lock.unlock();
}

void verify_not_holding(const char* where) {
    if (g_lock.held_here()) {
        panic("net: {} would wait holding the stack lock (see net/stack.hpp)", where);
    }
}

void kick() { (void)g_wake.signal(); }

LwipSizes lwip_sizes() { return {sizeof(tcp_pcb), sizeof(tcp_pcb_listen), sizeof(Socket) + sizeof(io::File)}; }

NetCounters counters() {
    NetCounters c;
    c.sockets = g_sockets.load(std::memory_order_relaxed);
    c.nics = g_nic_count;
    c.wakeups = g_wakeups.load(std::memory_order_relaxed);
    // The bare lock, not a StackGuard: reading counters moves no packets (a test's
    // run_until condition calls this from any hart's scheduler loop).
    if (g_lock.held_here()) {
        panic("net: counters() called with the stack lock held");
    }
    g_lock.lock();
    c.tcp_pcbs = lwip_stats.memp[MEMP_TCP_PCB]->used + lwip_stats.memp[MEMP_TCP_PCB_LISTEN]->used;
    c.time_wait = list_length(tcp_tw_pcbs);
    c.pbufs = lwip_stats.memp[MEMP_PBUF_POOL]->used + lwip_stats.memp[MEMP_PBUF]->used;
    for (unsigned i = 0; i < g_nic_count; ++i) {
        const NicCounters& n = g_interfaces[i]->link->counters();
        c.frames_in += n.frames_in;
        c.frames_out += n.frames_out;
        c.frames_dropped += n.malformed + n.no_room + n.device_errors;
    }
    c.lwip_dropped = std::uint64_t{lwip_stats.link.drop} + lwip_stats.etharp.drop + lwip_stats.ip.drop +
                     lwip_stats.icmp.drop + lwip_stats.tcp.drop + lwip_stats.udp.drop;
    g_lock.unlock();
    return c;
}

bool inject_frame(unsigned nic, const std::uint8_t* frame, std::size_t length) {
    if (nic >= g_nic_count) {
        return false;
    }
    StackGuard g;
    g_interfaces[nic]->link->inject(frame, length, deliver_frame, &g_interfaces[nic]->netif);
    return true;
}

unsigned nic_count() { return g_nic_count; }

void count_socket(int delta) { g_sockets.fetch_add(static_cast<std::uint32_t>(delta), std::memory_order_relaxed); }

}  // namespace cops::net

extern "C" struct netif* cops_lwip_route(const ip4_addr_t* src, const ip4_addr_t* dest) {
    (void)dest;
    // Source routing: a connection bound to a NIC's address leaves by that NIC, so
    // two NICs of one guest talk over the wire rather than through lwIP's loopback.
    if (src == nullptr || ip4_addr_isany(src)) {
        return nullptr;
    }
    for (unsigned i = 0; i < cops::net::g_nic_count; ++i) {
        struct netif* n = &cops::net::g_interfaces[i]->netif;
        if (netif_is_up(n) && ip4_addr_cmp(src, netif_ip4_addr(n))) {
            return n;
        }
    }
    return nullptr;
}
