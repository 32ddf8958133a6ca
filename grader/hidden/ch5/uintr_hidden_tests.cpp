/// @file uintr_hidden_tests.cpp
/// @brief Hidden tests of chapter 5: uret and delivery (kernel/uintr/emulate.cpp),
/// the sender's check and the send (kernel/uintr/receivers.cpp), and the completion
/// handler (user/lib/uintr_runtime.cpp).
#include "../hidden_support.hpp"
#include "cops/proc/run_program.hpp"
#include "cops/uintr/emulate.hpp"
#include "cops/uintr/process_uintr.hpp"

using namespace cops;
namespace u = cops::abi::uintr;
using proc::run_program;

namespace {}  // namespace

KTEST("hidden/uret-restores-uie-from-upie-and-jumps-to-uepc") {
    u::Slot s{};
    s.ustatus = u::kUstatusUpie;
    s.uepc = 0x7777'0003;
    std::uint64_t pc = 0;
    uintr::uret(s, pc);
    CHECK_EQ(pc, 0x7777'0002ULL);  // bit 0 of uepc never reaches pc
    CHECK_EQ(s.ustatus.load(), u::kUstatusUie | u::kUstatusUpie);
    s.ustatus = u::kUstatusUie;  // UPIE 0: interrupts stay off after uret
    uintr::uret(s, pc);
    CHECK_EQ(s.ustatus.load(), u::kUstatusUpie);
}

KTEST("hidden/uret-through-emulate-reports-uret") {
    u::Slot s{};
    s.uepc = 0x100;
    std::uint64_t regs[32] = {};
    std::uint64_t pc = 0x40;
    CHECK(uintr::emulate(u::kUret, s, regs, pc).kind == uintr::Emulated::Uret);
    CHECK_EQ(pc, 0x100ULL);
}

KTEST("hidden/deliver-needs-uie-usie-and-usip") {
    for (unsigned mask = 0; mask < 7; ++mask) {  // every combination but all three
        u::Slot s{};
        s.ustatus = (mask & 1) != 0 ? u::kUstatusUie : 0;
        s.uie = (mask & 2) != 0 ? u::kUsi : 0;
        s.uip = (mask & 4) != 0 ? u::kUsi : 0;
        s.utvec = 0x5000;
        std::uint64_t pc = 0x1234;
        CHECK(!uintr::deliver(s, pc));
        CHECK_EQ(pc, 0x1234ULL);
        CHECK_EQ(s.uepc.load(), 0ULL);
    }
}

KTEST("hidden/deliver-saves-state-masks-and-enters-the-vector") {
    u::Slot s{};
    s.ustatus = u::kUstatusUie;
    s.uie = u::kUsi | (1ULL << 4);
    s.uip = u::kUsi;
    s.utvec = 0x6001;  // vectored: USI (cause 0) at the base
    s.utval = 99;
    std::uint64_t pc = 0x2222;
    CHECK(uintr::deliver(s, pc));
    CHECK_EQ(pc, 0x6000ULL);
    CHECK_EQ(s.uepc.load(), 0x2222ULL);
    CHECK_EQ(s.ucause.load(), u::kUcauseInterrupt);
    CHECK_EQ(s.utval.load(), 0ULL);
    CHECK_EQ(s.ustatus.load(), u::kUstatusUpie);
    s.utvec = 0x6003;  // mode 3 is reserved: direct
    s.ustatus = u::kUstatusUie;
    CHECK(uintr::deliver(s, pc));
    CHECK_EQ(pc, 0x6000ULL);
}

KTEST_BUDGET("hidden/send-ping-pong-of-an-odd-count", kMultiHartBudget) {
    CHECK_EQ(run_program("uintr_check pingpong 777").value_or(-100), 0);
}

KTEST_BUDGET("hidden/send-rights-and-revocation", kMultiHartBudget) {
    const unsigned before = uintr::live_receivers();
    CHECK_EQ(run_program("uintr_check rights").value_or(-100), 0);
    CHECK_EQ(uintr::live_receivers(), before);
}

KTEST_BUDGET("hidden/completion-handler-wakes-every-reader", kMultiHartBudget) {
    CHECK_EQ(run_program("uintr_check kcuc 25").value_or(-100), 0);
}
