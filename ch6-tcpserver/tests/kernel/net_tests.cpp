/// @file net_tests.cpp
/// @brief Chapter 6: the network stack. net_check runs the user-side checks over
/// TCP; these tests also look at the kernel's side: the NICs, lwIP's pools, sockets,
/// frames, memory. The test kernel boots with two NICs on one QEMU hub (TEST_NICS).
#include "cops/abi/syscall_numbers.hpp"
#include "cops/dev/timer.hpp"
#include "cops/io/call.hpp"
#include "cops/mm/frame_allocator.hpp"
#include "cops/mm/kernel_heap.hpp"
#include "cops/net/stack.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/run_program.hpp"
#include "cops/sched/run_until.hpp"
#include "cops/test/ktest.hpp"

using namespace cops;
using proc::run_program;

namespace {
constexpr std::uint64_t kMultiHart = 1'000'000'000;
/// Frames between the NICs cross QEMU's hub in QEMU's main loop, outside the virtual
/// clock, and while every hart waits the clock follows the host's (-icount with sleep
/// on). A loaded host therefore stretches these tests in virtual time: the 64 KiB echo
/// took 0.5 to 1.5 s of the host's time here, and once ran past a budget of 1 s.
constexpr std::uint64_t kAcrossTheNics = 4 * kMultiHart;

/// What must come back once every process of a test has ended. TCP control blocks
/// in TIME_WAIT stay for 2 MSL (2 s here) and are not counted.
struct Resources {
    std::uint32_t sockets;
    std::uint32_t live_pcbs;
    std::uint32_t pbufs;
    std::uint32_t calls;
    std::size_t free_frames;
    std::size_t heap_bytes;

    static Resources now() {
        const net::NetCounters n = net::counters();
        return {n.sockets,
                n.tcp_pcbs - n.time_wait,
                n.pbufs,
                io::call_pool_stats().in_use,
                mm::frames().free_count(),
                mm::kernel_heap().stats().bytes_in_use};
    }
    bool operator==(const Resources&) const = default;
};

void check_back(const Resources& before, const Resources& after, const char* file, int line) {
    test::check_eq(after.sockets, before.sockets, "sockets open", "at the start", file, line);
    test::check_eq(after.live_pcbs, before.live_pcbs, "TCP pcbs not in TIME_WAIT", "at the start", file, line);
    test::check_eq(after.pbufs, before.pbufs, "lwIP pbufs in use", "at the start", file, line);
    test::check_eq(after.calls, before.calls, "calls in flight", "at the start", file, line);
    test::check_eq(after.free_frames, before.free_frames, "free page frames", "at the start", file, line);
    test::check_eq(after.heap_bytes, before.heap_bytes, "kernel heap bytes in use", "at the start", file, line);
}

/// Lets earlier tests' work wind down (bounded), then takes the snapshot.
Resources quiet_start() {
    const std::uint64_t until = dev::timer::now_ticks() + 200;
    sched::run_until([&] {
        return (io::call_pool_stats().in_use == 0 && net::counters().sockets == 0) || dev::timer::now_ticks() >= until;
    });
    return Resources::now();
}

/// Lets the harts run until everything is back to @p before (closing connections
/// take a few round trips), at most about 500 ticks; then checks.
void expect_back(const Resources& before, const char* file, int line) {
    const std::uint64_t until = dev::timer::now_ticks() + 500;
    sched::run_until([&] { return Resources::now() == before || dev::timer::now_ticks() >= until; });
    check_back(before, Resources::now(), file, line);
}
#define CHECK_BACK(before) expect_back((before), __FILE__, __LINE__)
}  // namespace

KTEST("net/the-stack-has-both-nics-of-the-hub") {
    CHECK_EQ(net::nic_count(), 2U);  // TEST_NICS := 2
}

KTEST("net/the-stack-lock-knows-its-holder") {
    CHECK(!net::stack_lock().held_here());
    {
        net::StackGuard g;
        CHECK(net::stack_lock().held_here());
    }
    CHECK(!net::stack_lock().held_here());
}

KTEST_BUDGET("net/echo-over-loopback-sync-form", kMultiHart) {
    const Resources before = quiet_start();
    CHECK_EQ(run_program("net_check echo loop sync 65536").value_or(-100), 0);
    CHECK_BACK(before);
}

KTEST_BUDGET("net/echo-over-loopback-async-form", kMultiHart) {
    const Resources before = quiet_start();
    CHECK_EQ(run_program("net_check echo loop async 65536").value_or(-100), 0);
    CHECK_BACK(before);
}

KTEST_BUDGET("net/echo-across-the-two-nics-through-the-driver-sync", kAcrossTheNics) {
    const Resources before = quiet_start();
    const net::NetCounters frames = net::counters();
    CHECK_EQ(run_program("net_check echo nics sync 65536").value_or(-100), 0);
    const net::NetCounters after = net::counters();
    CHECK(after.frames_in > frames.frames_in + 40);  // 64 KiB in both directions, over the wire
    CHECK_EQ(after.frames_dropped, frames.frames_dropped);
    CHECK_BACK(before);
}

KTEST_BUDGET("net/full-size-frames-of-a-bulk-transfer-across-the-nics-all-arrive", kAcrossTheNics) {
    // Large writes fill whole segments: frames of 1514 bytes, 1524 with the virtio
    // header, the longest the receive check must take (the echo above sends none).
    const Resources before = quiet_start();
    const net::NetCounters frames = net::counters();
    CHECK_EQ(run_program("net_check bulk 49152").value_or(-100), 0);
    const net::NetCounters after = net::counters();
    CHECK(after.frames_in > frames.frames_in + 33);  // 49152 / 1460 full segments, at least
    CHECK_EQ(after.frames_dropped, frames.frames_dropped);
    CHECK_BACK(before);
}

KTEST_BUDGET("net/echo-across-the-two-nics-through-the-driver-async", kAcrossTheNics) {
    const Resources before = quiet_start();
    CHECK_EQ(run_program("net_check echo nics async 65536").value_or(-100), 0);
    CHECK_BACK(before);
}

KTEST_BUDGET("net/1000-connections-opened-and-closed-everything-comes-back", 8 * kMultiHart) {
    const Resources before = quiet_start();
    CHECK_EQ(run_program("net_check many 1000").value_or(-100), 0);
    CHECK_BACK(before);
}

KTEST_BUDGET("net/a-peer-that-resets-mid-transfer-gives-econnreset", kMultiHart) {
    const Resources before = quiet_start();
    CHECK_EQ(run_program("net_check reset").value_or(-100), 0);
    CHECK_BACK(before);
}

KTEST_BUDGET("net/connect-to-a-closed-port-is-refused", kMultiHart) {
    const Resources before = quiet_start();
    CHECK_EQ(run_program("net_check refused").value_or(-100), 0);
    CHECK_BACK(before);
}

KTEST_BUDGET("net/a-reader-that-does-not-read-blocks-only-the-writers-coroutine", kMultiHart) {
    const Resources before = quiet_start();
    CHECK_EQ(run_program("net_check backpressure 131072").value_or(-100), 0);
    CHECK_BACK(before);
}

KTEST_BUDGET("net/bad-fds-wrong-states-and-bad-buffers-give-clean-errors", kMultiHart) {
    const Resources before = quiet_start();
    CHECK_EQ(run_program("net_check errors").value_or(-100), 0);
    CHECK_BACK(before);
}

KTEST_BUDGET("net/killing-a-process-blocked-in-accept-frees-its-sockets", kMultiHart) {
    const Resources before = quiet_start();
    const auto pid = proc::spawn("net_check server 7500 async");
    REQUIRE(pid.ok());
    sched::run_until([&] { return net::counters().sockets > before.sockets; });  // it listens (and waits)
    const std::uint64_t later = dev::timer::now_ticks() + 20;
    sched::run_until([&] { return dev::timer::now_ticks() >= later; });
    CHECK(proc::kill(pid.value()).ok());
    sched::run_until([&] { return proc::has_ended(pid.value()); });
    CHECK_EQ(proc::reap(pid.value()).value_or(-100), abi::kStatusKilled);
    CHECK_BACK(before);
}

/// lwIP's own sample frames (its test/fuzz/inputs: ARP, ICMP, IPv6, TCP, UDP), linked
/// into the test kernel by mk/lwip-kernel.mk: begin/end pairs, then a null pair.
extern "C" const std::uint8_t* const cops_lwip_fuzz_inputs[];

namespace {
/// A frame of @p length bytes: Ethernet to NIC 1's MAC from NIC 0's, then @p type.
std::size_t frame(std::uint8_t* out, std::size_t length, std::uint16_t type) {
    static constexpr std::uint8_t kHeader[12] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x57,
                                                 0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    for (std::size_t i = 0; i < length; ++i) {
        out[i] = i < 12 ? kHeader[i] : 0;
    }
    if (length >= 14) {
        out[12] = static_cast<std::uint8_t>(type >> 8);
        out[13] = static_cast<std::uint8_t>(type);
    }
    return length;
}

/// An IPv4 header at @p ip: to NIC 1 (10.0.2.16) from NIC 0, @p protocol, total length @p total.
void ipv4_header(std::uint8_t* ip, std::uint8_t protocol, std::uint16_t total) {
    ip[0] = 0x45;
    ip[2] = static_cast<std::uint8_t>(total >> 8);
    ip[3] = static_cast<std::uint8_t>(total);
    ip[8] = 64;
    ip[9] = protocol;
    const std::uint8_t addresses[8] = {10, 0, 2, 15, 10, 0, 2, 16};
    for (unsigned i = 0; i < 8; ++i) {
        ip[12 + i] = addresses[i];
    }
    std::uint32_t sum = 0;
    for (unsigned i = 0; i < 20; i += 2) {
        sum += (std::uint32_t{ip[i]} << 8) | ip[i + 1];
    }
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = static_cast<std::uint8_t>(~sum >> 8);
    ip[11] = static_cast<std::uint8_t>(~sum);
}
}  // namespace

KTEST_BUDGET("net/malformed-frames-and-lwips-fuzz-inputs-are-dropped-and-counted-the-stack-keeps-working",
             2 * kMultiHart) {
    const Resources before = quiet_start();
    const net::NetCounters start = net::counters();
    static std::uint8_t f[2048];
    unsigned refused_by_driver = 0;
    // Too short for an Ethernet header, and longer than any frame: the driver's checks.
    for (std::size_t n : {0UL, 1UL, 5UL, 13UL, 1515UL, 2000UL}) {
        CHECK(net::inject_frame(1, f, frame(f, n, 0x0800)));
        ++refused_by_driver;
    }
    // Headers that lie: lwIP's own checks.
    frame(f, 14, 0x0800);  // IPv4 with no header at all
    CHECK(net::inject_frame(1, f, 14));
    frame(f, 60, 0x0800);
    ipv4_header(f + 14, 6, 46);
    f[14] = 0x65;  // version 6 in an IPv4 frame
    CHECK(net::inject_frame(1, f, 60));
    frame(f, 60, 0x0800);
    ipv4_header(f + 14, 6, 46);
    f[24] ^= 0xff;  // a bad header checksum
    CHECK(net::inject_frame(1, f, 60));
    frame(f, 60, 0x0800);
    ipv4_header(f + 14, 6, 1400);  // the total length says more than the frame has
    CHECK(net::inject_frame(1, f, 60));
    frame(f, 60, 0x0800);
    ipv4_header(f + 14, 6, 46);
    f[14] = 0x4f;  // a header length of 60 bytes in a 46-byte packet
    CHECK(net::inject_frame(1, f, 60));
    frame(f, 74, 0x0800);
    ipv4_header(f + 14, 6, 60);  // TCP to port 7 with a checksum of zero
    f[36] = 0;
    f[37] = 7;
    f[46] = 0x50;
    CHECK(net::inject_frame(1, f, 74));
    frame(f, 20, 0x0806);  // a truncated ARP packet
    CHECK(net::inject_frame(1, f, 20));
    // Random bytes behind plausible headers, seeded: the same frames on every run.
    std::uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (unsigned k = 0; k < 300; ++k) {
        const std::size_t n = 14 + (x % 1500);
        frame(f, n, k % 3 == 0 ? 0x0806 : 0x0800);
        for (std::size_t i = 14; i < n; ++i) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            f[i] = static_cast<std::uint8_t>(x);
        }
        if (k % 2 == 0 && n >= 34) {
            ipv4_header(f + 14, static_cast<std::uint8_t>(x % 3 == 0 ? 6 : (x % 3 == 1 ? 17 : 1)),
                        static_cast<std::uint16_t>(n - 14));
        }
        CHECK(net::inject_frame(1, f, n));
    }
    // lwIP's sample frames, whole and cut at every length, as sent and readdressed to NIC 1.
    unsigned samples = 0;
    for (; cops_lwip_fuzz_inputs[2 * samples] != nullptr; ++samples) {
        const std::uint8_t* begin = cops_lwip_fuzz_inputs[2 * samples];
        const auto n = static_cast<std::size_t>(cops_lwip_fuzz_inputs[2 * samples + 1] - begin);
        for (std::size_t cut = 0; cut <= n && cut <= sizeof f; ++cut) {
            CHECK(net::inject_frame(1, begin, cut));
            frame(f, cut < 6 ? cut : 6, 0);  // the destination: NIC 1's MAC
            for (std::size_t i = 6; i < cut; ++i) {
                f[i] = begin[i];
            }
            CHECK(net::inject_frame(1, f, cut));
        }
    }
    CHECK_EQ(samples, 6U);  // arp, icmp, 2 × ipv6, tcp, udp
    const net::NetCounters after = net::counters();
    CHECK(after.frames_dropped >= start.frames_dropped + refused_by_driver);
    CHECK(after.lwip_dropped > start.lwip_dropped);
    // ... and the stack still works over the same NIC.
    CHECK_EQ(run_program("net_check echo nics async 8192").value_or(-100), 0);
    CHECK_BACK(before);
}
