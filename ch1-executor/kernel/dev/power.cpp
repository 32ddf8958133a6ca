/// @file power.cpp
/// @brief Power-off through QEMU's test finisher (`sifive,test0`), else SBI shutdown.
#include "cops/dev/power.hpp"

#include "cops/arch/sbi.hpp"
#include "cops/boot/boot_info.hpp"
#include "cops/lib/console.hpp"

namespace cops::dev {

namespace {
volatile std::uint32_t* g_finisher = nullptr;
constexpr std::uint32_t kFinisherPass = 0x5555;
constexpr std::uint32_t kFinisherFail = 0x3333;
}  // namespace

void probe_finisher() {
    auto node = boot::fdt().find_compatible("sifive,test0");
    if (!node) {
        return;
    }
    if (auto r = boot::fdt().reg(node.value())) {
        g_finisher = reinterpret_cast<volatile std::uint32_t*>(r.value().address);
    }
}

void power_off(ExitCode code) {
    console::flush();  // a buffered console (ch2's UART) drains first
    if (g_finisher != nullptr) {
        const auto c = static_cast<std::uint32_t>(code);
        *g_finisher = c == 0 ? kFinisherPass : (c << 16) | kFinisherFail;
    }
    arch::sbi::shutdown(code == ExitCode::Success ? arch::sbi::ResetReason::None
                                                  : arch::sbi::ResetReason::SystemFailure);
}

}  // namespace cops::dev
