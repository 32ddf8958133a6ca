/// @file emulate.cpp
/// @brief Decoding and emulating the user-interrupt instructions on a state slot.
#include "cops/uintr/emulate.hpp"

namespace cops::uintr {

namespace u = abi::uintr;

namespace {
constexpr std::uint32_t kOpcodeSystem = 0x73;

constexpr std::uint32_t field(std::uint32_t insn, unsigned lo, unsigned bits) {
    return (insn >> lo) & ((1U << bits) - 1);
}

/// utvec's WARL rule: modes 2 and 3 are reserved and read as direct (0).
constexpr std::uint64_t legal_utvec(std::uint64_t v) {
    return (v & ~u::kUtvecModeMask) | ((v & u::kUtvecModeMask) == 1 ? 1 : 0);
}

/// Sets the bits of @p mask in @p word to @p value's, atomically (senders and the
/// thread itself may change uip at once).
void update_masked(std::atomic<std::uint64_t>& word, std::uint64_t mask, std::uint64_t value) {
    std::uint64_t old = word.load(std::memory_order_relaxed);
    while (!word.compare_exchange_weak(old, (old & ~mask) | (value & mask), std::memory_order_acq_rel)) {}
}

Emulation emulate_csr(std::uint32_t insn, u::Slot& slot, std::uint64_t (&regs)[32], std::uint64_t& pc) {
    const std::uint32_t funct3 = field(insn, 12, 3);
    const unsigned rd = field(insn, 7, 5);
    const unsigned rs1 = field(insn, 15, 5);
    const std::uint32_t csr = field(insn, 20, 12);
    const bool immediate = (funct3 & 4) != 0;
    const std::uint64_t operand = immediate ? rs1 : regs[rs1];
    const std::uint32_t kind = funct3 & 3;  // 1 write, 2 set, 3 clear
    if (kind == 0) {
        return {};
    }
    std::uint64_t old = 0;
    if (!read_csr(slot, csr, old)) {
        return {};  // a CSR this emulation does not own: the instruction stays illegal
    }
    const bool writes = kind == 1 || rs1 != 0;  // CSRRS/CSRRC with x0 / uimm 0 write nothing
    if (writes) {
        const std::uint64_t next = kind == 1 ? operand : kind == 2 ? (old | operand) : (old & ~operand);
        (void)write_csr(slot, csr, next);
    }
    if (rd != 0) {
        regs[rd] = old;  // CSRRW with rd = x0 does not read: nothing to store either
    }
    pc += 4;
    return {Emulated::Done, 0};
}

Emulation emulate_uipi(std::uint32_t insn, u::Slot& slot, std::uint64_t (&regs)[32], std::uint64_t& pc) {
    if (field(insn, 12, 3) != u::kUipiFunct3 || field(insn, 20, 5) != 0) {
        return {};
    }
    const unsigned rd = field(insn, 7, 5);
    const unsigned rs1 = field(insn, 15, 5);
    switch (static_cast<u::UipiOp>(field(insn, 25, 7))) {
        case u::UipiOp::Send: pc += 4; return {Emulated::Send, regs[rs1]};
        case u::UipiOp::Read: {
            const std::uint64_t bits = slot.pending.exchange(0, std::memory_order_acq_rel);
            if (rd != 0) {
                regs[rd] = bits;
            }
            pc += 4;
            return {Emulated::Done, 0};
        }
        case u::UipiOp::Write:
            if (regs[rs1] != 0) {
                slot.pending.fetch_or(regs[rs1], std::memory_order_acq_rel);
                slot.uip.fetch_or(u::kUsi, std::memory_order_acq_rel);
            }
            pc += 4;
            return {Emulated::Done, 0};
        default: return {};  // activate/deactivate belong to the kernel; other funct7s are reserved
    }
}
}  // namespace

bool read_csr(const u::Slot& slot, std::uint32_t csr, std::uint64_t& value) {
    switch (static_cast<u::Csr>(csr)) {
        case u::Csr::Ustatus: value = slot.ustatus.load() & u::kUstatusMask; return true;
        case u::Csr::Uie: value = slot.uie.load() & u::kUieMask; return true;
        case u::Csr::Utvec: value = legal_utvec(slot.utvec.load()); return true;
        case u::Csr::Uscratch: value = slot.uscratch.load(); return true;
        case u::Csr::Uepc: value = slot.uepc.load() & ~1ULL; return true;
        case u::Csr::Ucause: value = slot.ucause.load(); return true;
        case u::Csr::Utval: value = slot.utval.load(); return true;
        case u::Csr::Uip: value = slot.uip.load() & u::kUieMask; return true;
    }
    return false;
}

bool write_csr(u::Slot& slot, std::uint32_t csr, std::uint64_t value) {
    switch (static_cast<u::Csr>(csr)) {
        case u::Csr::Ustatus: update_masked(slot.ustatus, u::kUstatusMask, value); return true;
        case u::Csr::Uie: slot.uie.store(value & u::kUieMask); return true;
        case u::Csr::Utvec: slot.utvec.store(legal_utvec(value)); return true;
        case u::Csr::Uscratch: slot.uscratch.store(value); return true;
        case u::Csr::Uepc: slot.uepc.store(value & ~1ULL); return true;
        case u::Csr::Ucause: slot.ucause.store(value); return true;
        case u::Csr::Utval: slot.utval.store(value); return true;
        case u::Csr::Uip: update_masked(slot.uip, u::kUipUserWritable, value); return true;
    }
    return false;
}

Emulation emulate(std::uint32_t insn, u::Slot& slot, std::uint64_t (&regs)[32], std::uint64_t& pc) {
    if (insn == u::kUret) {
        uret(slot, pc);
        return {Emulated::Uret, 0};
    }
    switch (field(insn, 0, 7)) {
        case kOpcodeSystem: return emulate_csr(insn, slot, regs, pc);
        case u::kUipiOpcode: return emulate_uipi(insn, slot, regs, pc);
        default: return {};
    }
}

void uret(u::Slot& slot, std::uint64_t& pc) {
    // LAB(ch5): uret
    // UIE takes UPIE's value, UPIE becomes 1 (only those two bits change), and the
    // thread goes on at uepc (bit 0 is never set). A still pending interrupt is taken
    // on the way back to user mode (deliver() runs there), as uret re-checks on hardware.
    std::uint64_t old = slot.ustatus.load(std::memory_order_relaxed);
    for (;;) {
        const std::uint64_t uie = (old & u::kUstatusUpie) != 0 ? u::kUstatusUie : 0;
        const std::uint64_t next = (old & ~u::kUstatusMask) | uie | u::kUstatusUpie;
        if (slot.ustatus.compare_exchange_weak(old, next, std::memory_order_acq_rel)) {
            break;
        }
    }
    pc = slot.uepc.load(std::memory_order_relaxed) & ~1ULL;
    // LAB-STUB: (void)slot;
    // LAB-STUB: pc += 4;
    // END-LAB
}

void raise(u::Slot& slot, unsigned vector) {
    slot.pending.fetch_or(1ULL << (vector & 63), std::memory_order_acq_rel);
    slot.uip.fetch_or(u::kUsi, std::memory_order_acq_rel);  // after the bit: a handler that sees USIP finds it
}

bool deliverable(const u::Slot& slot) {
    return (slot.ustatus.load(std::memory_order_acquire) & u::kUstatusUie) != 0 &&
           (slot.uie.load(std::memory_order_acquire) & u::kUsi) != 0 &&
           (slot.uip.load(std::memory_order_acquire) & u::kUsi) != 0;
}

bool deliver(u::Slot& slot, std::uint64_t& pc) {
    // LAB(ch5): delivery on the return to user mode
    // Only an interrupt that is pending (uip.USIP) and enabled (ustatus.UIE and
    // uie.USIE) is taken. Then: uepc = the interrupted pc, ucause = interrupt | USI,
    // utval = 0; UPIE = UIE (1) and UIE = 0, so the handler runs masked; pc = utvec's
    // base, plus 4 x cause in vectored mode (mode 1). Return whether it was taken.
    if (!deliverable(slot)) {
        return false;
    }
    slot.uepc.store(pc & ~1ULL, std::memory_order_relaxed);
    slot.ucause.store(u::kUcauseInterrupt | u::kCauseUserSoftware, std::memory_order_relaxed);
    slot.utval.store(0, std::memory_order_relaxed);
    std::uint64_t old = slot.ustatus.load(std::memory_order_relaxed);
    while (!slot.ustatus.compare_exchange_weak(old, (old & ~u::kUstatusMask) | u::kUstatusUpie,
                                               std::memory_order_acq_rel)) {}
    const std::uint64_t vec = legal_utvec(slot.utvec.load(std::memory_order_relaxed));
    pc = (vec & ~u::kUtvecModeMask) + ((vec & 1) != 0 ? 4 * u::kCauseUserSoftware : 0);
    return true;
    // LAB-STUB: (void)slot;
    // LAB-STUB: (void)pc;
    // LAB-STUB: return false;
    // END-LAB
}

}  // namespace cops::uintr
