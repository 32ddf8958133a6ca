// Unit tests: decoding and emulating the N extension's user-interrupt instructions
// on a state slot (kernel/uintr/emulate.cpp), against the encodings in uintr_abi.hpp.
#include <catch2/catch.hpp>

#include "cops/uintr/emulate.hpp"

using namespace cops;
namespace u = cops::abi::uintr;
using uintr::Emulated;

namespace {
/// The CSR instruction with @p funct3, @p rd, @p rs1 (or uimm) and @p csr.
constexpr std::uint32_t csr_insn(unsigned funct3, unsigned rd, unsigned rs1, unsigned csr) {
    return (csr << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | 0x73;
}
constexpr unsigned kCsrrw = 1, kCsrrs = 2, kCsrrc = 3, kCsrrwi = 5, kCsrrsi = 6, kCsrrci = 7;
constexpr unsigned kA0 = 10, kA1 = 11;

struct Thread {
    u::Slot slot{};
    std::uint64_t regs[32] = {};
    std::uint64_t pc = 0x1000;

    uintr::Emulation run(std::uint32_t insn) { return uintr::emulate(insn, slot, regs, pc); }
};
}  // namespace

TEST_CASE("uintr emulate: the encodings match what QEMU reports in stval") {
    // Measured on QEMU 7.2: `csrr a0, utvec` -> 0x00502573; uipi_send s2 -> 0x0009207b; uret.
    CHECK(csr_insn(kCsrrs, kA0, 0, 0x005) == 0x00502573u);
    CHECK(u::uipi_word(u::UipiOp::Send, 0, 18) == 0x0009207bu);
    CHECK(u::kUret == 0x00200073u);
}

TEST_CASE("uintr emulate: CSR reads and writes go through each register's mask") {
    Thread t;
    t.regs[kA1] = ~0ULL;
    struct Case {
        u::Csr csr;
        std::uint64_t reads_back;
    };
    for (const Case c : {Case{u::Csr::Ustatus, 0x11}, Case{u::Csr::Uie, 0x111}, Case{u::Csr::Utvec, ~3ULL},
                         Case{u::Csr::Uscratch, ~0ULL}, Case{u::Csr::Uepc, ~1ULL}, Case{u::Csr::Ucause, ~0ULL},
                         Case{u::Csr::Utval, ~0ULL}, Case{u::Csr::Uip, 0x1}}) {
        const unsigned csr = static_cast<unsigned>(c.csr);
        INFO("csr " << csr);
        REQUIRE(t.run(csr_insn(kCsrrw, 0, kA1, csr)).kind == Emulated::Done);
        REQUIRE(t.run(csr_insn(kCsrrs, kA0, 0, csr)).kind == Emulated::Done);
        CHECK(t.regs[kA0] == c.reads_back);
    }
    CHECK(t.pc == 0x1000 + 16 * 4);  // each one moved pc past itself
}

TEST_CASE("uintr emulate: Zicsr rules for rd = x0, rs1 = x0 and the immediate forms") {
    Thread t;
    t.slot.uscratch = 40;
    t.regs[kA1] = 3;
    t.run(csr_insn(kCsrrs, kA0, kA1, 0x040));  // a0 = 40, uscratch |= 3
    CHECK(t.regs[kA0] == 40);
    CHECK(t.slot.uscratch == 43);
    t.run(csr_insn(kCsrrc, kA0, kA1, 0x040));  // clear 3
    CHECK(t.slot.uscratch == 40);
    t.regs[kA0] = 7;
    t.run(csr_insn(kCsrrw, 0, kA0, 0x040));  // rd = x0: write only; x0 stays 0
    CHECK(t.slot.uscratch == 7);
    CHECK(t.regs[0] == 0);
    t.run(csr_insn(kCsrrwi, kA0, 21, 0x040));
    CHECK(t.regs[kA0] == 7);
    CHECK(t.slot.uscratch == 21);
    t.run(csr_insn(kCsrrsi, kA0, 8, 0x040));
    CHECK(t.slot.uscratch == 29);
    t.run(csr_insn(kCsrrci, kA0, 1, 0x040));
    CHECK(t.slot.uscratch == 28);
    // rs1 = x0 writes nothing: a sender's USIP survives `csrrs a0, uip, x0`.
    t.slot.uip = u::kUsi;
    t.run(csr_insn(kCsrrs, kA0, 0, 0x044));
    CHECK(t.regs[kA0] == u::kUsi);
    CHECK(t.slot.uip == u::kUsi);
}

TEST_CASE("uintr emulate: anything else stays an illegal instruction") {
    Thread t;
    for (const std::uint32_t bad : {
             csr_insn(kCsrrs, kA0, 0, 0x045),  // no such user CSR
             csr_insn(kCsrrs, kA0, 0, 0x100),  // sstatus: not ours
             csr_insn(4, kA0, 0, 0x000),       // SYSTEM funct3 4 is reserved
             0x00000000u,                      // not an instruction
             u::uipi_word(u::UipiOp::Activate, 0, 0), u::uipi_word(u::UipiOp::Deactivate, 0, 0),
             u::uipi_word(static_cast<u::UipiOp>(5), 0, 0),
             u::uipi_word(u::UipiOp::Read, kA0, 0) | (1u << 20),  // rs2 != 0
             u::uipi_word(u::UipiOp::Read, kA0, 0) ^ (2u << 12),  // funct3 != 010
             0x10200073u,                                         // sret
         }) {
        INFO("insn " << bad);
        CHECK(t.run(bad).kind == Emulated::NotOurs);
    }
    CHECK(t.pc == 0x1000);  // nothing moved
}

TEST_CASE("uintr emulate: uipi read, write and send") {
    Thread t;
    t.regs[kA1] = 0b1010;
    CHECK(t.run(u::uipi_word(u::UipiOp::Write, 0, kA1)).kind == Emulated::Done);
    CHECK(t.slot.pending == 0b1010);
    CHECK(t.slot.uip == u::kUsi);
    CHECK(t.run(u::uipi_word(u::UipiOp::Read, kA0, 0)).kind == Emulated::Done);
    CHECK(t.regs[kA0] == 0b1010);
    CHECK(t.slot.pending == 0);
    t.regs[kA1] = 17;
    const auto send = t.run(u::uipi_word(u::UipiOp::Send, 0, kA1));
    CHECK(send.kind == Emulated::Send);
    CHECK(send.handle == 17);
    CHECK(t.pc == 0x1000 + 12);
}

TEST_CASE("uintr emulate: uret and delivery") {
    Thread t;
    t.slot.uepc = 0x2001;
    t.slot.ustatus = u::kUstatusUpie;
    CHECK(t.run(u::kUret).kind == Emulated::Uret);
    CHECK(t.pc == 0x2000);
    CHECK(t.slot.ustatus == (u::kUstatusUie | u::kUstatusUpie));
    t.slot.ustatus = 0;  // UPIE 0: uret leaves UIE off
    t.run(u::kUret);
    CHECK(t.slot.ustatus == u::kUstatusUpie);

    // Delivery needs UIE, USIE and USIP together.
    t.slot.ustatus = u::kUstatusUie;
    t.slot.utvec = 0x9000;
    std::uint64_t pc = 0x3000;
    uintr::raise(t.slot, 7);
    CHECK(t.slot.pending == (1ULL << 7));
    CHECK_FALSE(uintr::deliver(t.slot, pc));  // USIE off
    t.slot.uie = u::kUsi;
    REQUIRE(uintr::deliver(t.slot, pc));
    CHECK(pc == 0x9000);
    CHECK(t.slot.uepc == 0x3000);
    CHECK(t.slot.ucause == u::kUcauseInterrupt);
    CHECK(t.slot.utval == 0);
    CHECK(t.slot.ustatus == u::kUstatusUpie);
}
