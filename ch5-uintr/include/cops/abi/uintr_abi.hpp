/// @file uintr_abi.hpp
/// @brief Chapter 5's user-interrupt ABI, shared by the kernel and the user library:
/// the encodings (one table, pinned here), the per-thread state slot, the system
/// calls, and the vDSO page's entry points.
///
/// **The model (the RISC-V N extension + a user-interrupt controller, UINTC).** Each
/// user thread has its own user-mode interrupt CSRs. A thread becomes a *receiver*
/// by registering with the kernel; another thread (of its process, or of a process
/// it allowed) gets a *sender handle* for that receiver and a vector, and
/// `uipi_send handle` sets bit `vector` of the receiver's 64 pending bits and raises
/// its `uip.USIP`. When the receiver next returns to user mode with `ustatus.UIE`
/// and `uie.USIE` set and `uip.USIP` raised, it is interrupted: `uepc` = where it
/// was, `ucause` = interrupt | 0 (USI), `UPIE` = `UIE`, `UIE` = 0, pc = `utvec`
/// (vectored mode: base + 4 x cause). `uret` undoes it: `UIE` = `UPIE`, `UPIE` = 1,
/// pc = `uepc`, and a still pending interrupt is taken again at once.
///
/// The handler clears `uip.USIP` *before* it reads the pending bits (`uipi_read`
/// reads and clears them): a send between the two then raises USIP again and is
/// taken at `uret`, never lost.
#pragma once

#include <atomic>
#include <cstdint>

#include "cops/abi/io_abi.hpp"
#include "cops/abi/syscall_numbers.hpp"

namespace cops::abi::uintr {

// --- CSRs (N extension v1.1) --------------------------------------------------
/// CSR numbers of the user-interrupt registers.
enum class Csr : std::uint16_t {
    Ustatus = 0x000,   ///< UIE bit 0, UPIE bit 4
    Uie = 0x004,       ///< USIE bit 0, UTIE bit 4, UEIE bit 8
    Utvec = 0x005,     ///< handler base (4-aligned) | mode in bits 1:0 (0 direct, 1 vectored)
    Uscratch = 0x040,  ///< free for the handler
    Uepc = 0x041,      ///< where the interrupted thread was (bit 0 always 0)
    Ucause = 0x042,    ///< bit 63: interrupt; low bits: the cause (0 USI, 4 UTI, 8 UEI)
    Utval = 0x043,     ///< 0 for interrupts
    Uip = 0x044,       ///< USIP bit 0 (the only bit user code may write), UTIP 4, UEIP 8
};
inline constexpr std::uint64_t kUstatusUie = 1ULL << 0;                             ///< interrupts enabled
inline constexpr std::uint64_t kUstatusUpie = 1ULL << 4;                            ///< UIE before the interrupt
inline constexpr std::uint64_t kUstatusMask = kUstatusUie | kUstatusUpie;           ///< the bits of ustatus that exist
inline constexpr std::uint64_t kUsi = 1ULL << 0;                                    ///< USIE / USIP
inline constexpr std::uint64_t kUieMask = (1ULL << 0) | (1ULL << 4) | (1ULL << 8);  ///< USIE, UTIE, UEIE
inline constexpr std::uint64_t kUipUserWritable = kUsi;        ///< only USIP is writable from U-mode
inline constexpr std::uint64_t kUcauseInterrupt = 1ULL << 63;  ///< ucause: an interrupt (not an exception)
inline constexpr std::uint64_t kCauseUserSoftware = 0;         ///< USI: what uipi_send raises
inline constexpr std::uint64_t kUtvecModeMask = 3;             ///< 0 direct, 1 vectored (2, 3 reserved: read as 0)

// --- Instructions ---------------------------------------------------------------
/// `uret`.
inline constexpr std::uint32_t kUret = 0x00200073;
/// The uipi instructions: opcode custom-3, funct3 010, rs2 = 0, funct7 = the operation.
inline constexpr std::uint32_t kUipiOpcode = 0x7b;  ///< custom-3
inline constexpr std::uint32_t kUipiFunct3 = 2;     ///< 010
/// funct7 of a uipi instruction.
enum class UipiOp : std::uint32_t {
    Send = 0,        ///< uipi_send rs1: rs1 = a sender-table index (handle)
    Read = 1,        ///< uipi_read rd: rd = the pending bits, which are cleared
    Write = 2,       ///< uipi_write rs1: pending |= rs1 (raises USIP when non-zero)
    Activate = 3,    ///< the kernel's (receiver on a hart): illegal from U-mode
    Deactivate = 4,  ///< the kernel's: illegal from U-mode
};
/// The word of uipi @p op with registers @p rd and @p rs1 (for `.word` and tests).
constexpr std::uint32_t uipi_word(UipiOp op, unsigned rd, unsigned rs1) {
    return (static_cast<std::uint32_t>(op) << 25) | (rs1 << 15) | (kUipiFunct3 << 12) | (rd << 7) | kUipiOpcode;
}

// --- Memory ---------------------------------------------------------------------
/// One thread's user-interrupt state. In the kit's emulation this slot *is* the
/// state: the kernel's emulated CSR accesses and the vDSO's fast path read and
/// write the same words, so both ways see one state. The thread may write any of it
/// (it is its own state); the kernel takes every value through the write masks
/// above when it acts on it.
struct Slot {
    std::atomic<std::uint64_t> ustatus;      ///< +0
    std::atomic<std::uint64_t> uie;          ///< +8
    std::atomic<std::uint64_t> uip;          ///< +16
    std::atomic<std::uint64_t> utvec;        ///< +24
    std::atomic<std::uint64_t> uscratch;     ///< +32
    std::atomic<std::uint64_t> uepc;         ///< +40
    std::atomic<std::uint64_t> ucause;       ///< +48
    std::atomic<std::uint64_t> utval;        ///< +56
    std::atomic<std::uint64_t> pending;      ///< +64: the receiver's 64 pending vector bits
    std::atomic<std::uint64_t> handler;      ///< +72: the vDSO trampoline calls handler(slot) (0: none)
    std::atomic<std::uint64_t> handler_arg;  ///< +80: for the runtime's handler
    std::atomic<std::uint64_t> delivered;    ///< +88: interrupts the kernel delivered to this thread
    std::uint64_t reserved[4];               ///< to 128 bytes
};
static_assert(sizeof(Slot) == 128, "vdso_page.S expects 128-byte slots");

/// Threads a process may have (one slot each: ch3's kMaxThreads).
inline constexpr unsigned kSlots = 32;
/// User address of the vDSO page of user-interrupt entry points (read + execute).
inline constexpr std::uint64_t kVdsoAddress = kCompletionRingAddress + (1ULL << 20);
/// User address of the process's state page: kSlots slots, slot i for thread index i
/// (tid - 1). It follows the vDSO page (the trampoline finds it pc-relatively).
inline constexpr std::uint64_t kStateAddress = kVdsoAddress + 4096;
static_assert(kSlots * sizeof(Slot) == 4096, "the slots fill one page");
/// The slot of thread index @p index, as the process sees it.
inline Slot* slot_of(unsigned index) { return reinterpret_cast<Slot*>(kStateAddress + index * sizeof(Slot)); }

/// Offsets of the vDSO page's entry points (the kernel maps one of two pages at boot:
/// emulated, or the native instructions; vdso_page.S).
enum class VdsoEntry : std::uint64_t {
    Uret = 0x000,         ///< the trampoline's last step (emulated: an `ecall` the kernel knows by its pc)
    Sync = 0x010,         ///< take a pending, enabled interrupt now (emulated: an `ecall`; native: nothing)
    Enable = 0x020,       ///< enable(slot): UIE = 1, then Sync if one is pending
    Disable = 0x060,      ///< disable(slot) -> the old UIE (0/1)
    TakePending = 0x080,  ///< take_pending(slot) -> the pending bits (USIP cleared first)
    Send = 0x0a0,         ///< send(handle) -> 0 or -errno
    Setup = 0x0c0,        ///< setup(slot, utvec): utvec, uie.USIE, uscratch = slot
    Cause = 0x100,        ///< cause(slot) -> ucause
    Backend = 0x110,      ///< backend() -> 0 emulated, 1 native
    Trampoline = 0x400,   ///< entry for thread index i at +16 x i: saves every integer register,
                          ///< calls slot->handler(slot), restores them, Uret
};
/// The address of @p entry.
constexpr std::uint64_t vdso(VdsoEntry entry) { return kVdsoAddress + static_cast<std::uint64_t>(entry); }
/// The trampoline entry (a `utvec` value, direct mode) for thread index @p index.
constexpr std::uint64_t trampoline_for(unsigned index) { return vdso(VdsoEntry::Trampoline) + 16ULL * index; }

// --- System calls ----------------------------------------------------------------
/// register_receiver() -> the receiver id of the calling thread (the same id if it is one).
inline constexpr Sys kSysRegisterReceiver{40};
/// allow_sender(receiver, pid) -> 0: process @p pid may create senders for @p receiver
/// (the caller's process must own the receiver).
inline constexpr Sys kSysAllowSender{41};
/// register_sender(receiver, vector) -> a handle (sender-table index) for uipi_send.
/// EPERM unless the receiver is this process's or allowed this process; ESRCH if it
/// is gone; EINVAL for a vector past 63; EAGAIN when the table (kMaxSenders) is full.
inline constexpr Sys kSysRegisterSender{42};
/// send(handle) -> 0; EBADF for a handle never made, EPIPE once its receiver has gone.
inline constexpr Sys kSysUipiSend{43};
/// wait() -> 0 when an interrupt is pending and enabled for the caller (it is taken on
/// the way back to user mode); blocks the thread until then. EINVAL if the thread is
/// not a receiver.
inline constexpr Sys kSysUintrWait{44};
/// use_for_completions(vector) -> 0: this process's ch4 completions raise @p vector on
/// the calling thread (a receiver) instead of making the process runnable;
/// vector -1: back to the default.
inline constexpr Sys kSysUseForCompletions{45};
/// info(which) -> 0: the backend (0 emulated, 1 native), 1: this thread's index,
/// 2: instructions emulated for this process, 3: interrupts delivered to it,
/// 4: live receivers in the kernel, 5: live sender handles of this process.
inline constexpr Sys kSysUintrInfo{46};

/// Most sender handles a process holds.
inline constexpr unsigned kMaxSenders = 64;
/// Most receivers in the system.
inline constexpr unsigned kMaxReceivers = 256;
/// Most processes one receiver allows.
inline constexpr unsigned kMaxAllowed = 8;
/// The vector ch4 completions use unless the process chooses one.
inline constexpr unsigned kCompletionVector = 63;

}  // namespace cops::abi::uintr
