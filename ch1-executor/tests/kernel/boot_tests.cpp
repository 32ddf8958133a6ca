// Kernel tests: what boot learned, init calls, the console formatter on the target.
#include "cops/arch/csr.hpp"
#include "cops/boot/boot_info.hpp"
#include "cops/init/initcall.hpp"
#include "cops/lib/format.hpp"
#include "cops/test/ktest.hpp"

namespace {
int g_order[4];
int g_count = 0;
void record_device() { g_order[g_count++] = 2; }
void record_early() { g_order[g_count++] = 0; }
void a_step_that_needs_record_device() { g_order[g_count++] = 3; }
}  // namespace

/// A global with a constructor that must run before app_main (from .init_array).
struct ConstructedAtBoot {
    int value;
    ConstructedAtBoot() : value(g_count + 100) {}  // not constexpr: needs a real constructor call
};
ConstructedAtBoot g_constructed;

// Registered out of order on purpose: levels, not source order, decide; and a need
// comes first although its name sorts later.
COPS_INITCALL(device, a_step_that_needs_record_device, record_device);
COPS_INITCALL(device, record_device);
COPS_INITCALL(early, record_early);

KTEST("boot/device-tree-memory") {
    const auto& bi = cops::boot::info();
    CHECK_EQ(bi.memory_base, 0x80000000ULL);
    CHECK(bi.memory_size >= (64ULL << 20));
    CHECK(bi.kernel_start == 0x80200000ULL);
    CHECK(bi.heap_start >= bi.kernel_end);
    CHECK(bi.heap_start + bi.heap_size <= bi.memory_base + bi.memory_size);
    // Neither the kernel nor its heap covers the device tree: QEMU puts it at the top of
    // RAM, OpenSBI's fw_jump (the FPGA board's firmware) 0x82200000, past the kernel.
    const auto tree = reinterpret_cast<std::uintptr_t>(bi.dtb);
    const auto tree_end = tree + cops::boot::fdt().total_size();
    CHECK(tree_end <= bi.heap_start || tree >= bi.heap_start + bi.heap_size);
    CHECK(tree_end <= bi.kernel_start || tree >= bi.kernel_end);
}

KTEST("boot/command-line-from-chosen") {
    // The harness always passes a nonce and where to start on the kernel command line.
    const auto nonce = cops::boot::bootarg("nonce");
    REQUIRE(nonce.has_value());
    CHECK(!nonce->empty());
    CHECK(cops::boot::bootarg("ktest.from").has_value());
}

KTEST("boot/the-nonce-is-gone-from-the-command-line") {
    // The boot handed the nonce to the runner and overwrote it before any constructor
    // ran (boot.cpp, take_nonce): code under test cannot read it here.
    const auto nonce = cops::boot::bootarg("nonce");
    REQUIRE(nonce.has_value());
    bool dashes = true;
    for (char c : *nonce) {
        dashes = dashes && c == '-';
    }
    CHECK(dashes);
}

KTEST("boot/timebase-and-harts") {
    CHECK_EQ(cops::boot::info().timebase_hz, 10'000'000ULL);
    CHECK(cops::boot::info().hart_count >= 1);
}

KTEST("boot/global-constructors-ran-before-initcalls") {
    // Constructors run before the init calls, so g_count was still 0.
    CHECK_EQ(g_constructed.value, 100);
}

KTEST("boot/initcalls-run-by-level-and-need") {
    REQUIRE_EQ(g_count, 3);
    CHECK_EQ(g_order[0], 0);
    CHECK_EQ(g_order[1], 2);
    CHECK_EQ(g_order[2], 3);
}

KTEST("arch/instret-counts-instructions") {
    const auto a = cops::arch::read_instret();
    volatile int sink = 0;
    for (int i = 0; i < 1000; ++i) {
        sink = sink + i;
    }
    const auto b = cops::arch::read_instret();
    CHECK(b - a >= 1000);
    CHECK(b - a < 100000);
}

KTEST("lib/format-on-target") {
    char buf[64];
    CHECK(cops::lib::format_buffer(buf, sizeof buf, "{:#x} {} {:>4}", 0xabcU, -5, "z") ==
          std::string_view("0xabc -5    z"));
}
