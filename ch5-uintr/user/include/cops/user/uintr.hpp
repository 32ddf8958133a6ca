/// @file uintr.hpp
/// @brief User-space interrupts as a program uses them (uintr_abi.hpp has the model).
///
///     const long rid = uintr::become_receiver(on_interrupt, arg);  // this thread
///     uintr::allow_sender(rid, other_pid);                         // let another process in
///     const long h = uintr::register_sender(rid, vector);          // in the sender
///     uintr::send(h);                                               // raise it
///
/// The handler runs on the receiving thread, on its own stack, with interrupts
/// masked, through the vDSO's trampoline: every integer register of the
/// interrupted code is saved and restored around it (user threads have no
/// floating-point state in this kit: the FPU is off in user mode). It may interrupt
/// any code of that thread, so it must not take a lock that code may hold; the
/// completion receiver below runs on a thread of its own for that reason.
///
/// Everything here goes through the vDSO page, so the same binary runs with the
/// kernel's emulation (QEMU) and with the native N extension.
#pragma once

#include <cstdint>

#include "cops/abi/uintr_abi.hpp"
#include "cops/user/sys.hpp"

namespace cops::user::uintr {

namespace u = abi::uintr;

/// A handler: called with the thread's slot (ucause: cause(slot)).
using Handler = void (*)(u::Slot* slot);

// --- the vDSO page ------------------------------------------------------------------
/// UIE = 1, and a pending, enabled interrupt is taken now.
inline void enable(u::Slot* s) { reinterpret_cast<void (*)(u::Slot*)>(u::vdso(u::VdsoEntry::Enable))(s); }
/// UIE = 0; true if it was 1.
inline bool disable(u::Slot* s) { return reinterpret_cast<long (*)(u::Slot*)>(u::vdso(u::VdsoEntry::Disable))(s) != 0; }
/// Clears USIP, then reads and clears the pending bits (in that order: nothing is lost).
inline std::uint64_t take_pending(u::Slot* s) {
    return reinterpret_cast<std::uint64_t (*)(u::Slot*)>(u::vdso(u::VdsoEntry::TakePending))(s);
}
/// uipi_send on @p handle: 0, or -EBADF / -EPIPE (emulated backend; native: always 0).
inline long send(long handle) { return reinterpret_cast<long (*)(long)>(u::vdso(u::VdsoEntry::Send))(handle); }
/// ucause of the interrupt being handled.
inline std::uint64_t cause(u::Slot* s) {
    return reinterpret_cast<std::uint64_t (*)(u::Slot*)>(u::vdso(u::VdsoEntry::Cause))(s);
}
/// 0: the kernel emulates the N extension; 1: native.
inline long backend() { return reinterpret_cast<long (*)()>(u::vdso(u::VdsoEntry::Backend))(); }

// --- system calls -----------------------------------------------------------------
/// Makes the calling thread a receiver: its id.
inline long register_receiver() { return syscall(u::kSysRegisterReceiver); }
/// Lets process @p pid make senders for receiver @p rid (this process's).
inline long allow_sender(long rid, long pid) {
    return syscall(u::kSysAllowSender, static_cast<std::uint64_t>(rid), static_cast<std::uint64_t>(pid));
}
/// A sender handle for receiver @p rid and @p vector.
inline long register_sender(long rid, unsigned vector) {
    return syscall(u::kSysRegisterSender, static_cast<std::uint64_t>(rid), vector);
}
/// Blocks the calling thread until its USIP is raised (the interrupt is taken on the way back).
inline long wait() { return syscall(u::kSysUintrWait); }
/// info(which), see kSysUintrInfo.
inline long info(int which) { return syscall(u::kSysUintrInfo, static_cast<std::uint64_t>(which)); }
/// The calling thread's state slot.
inline u::Slot* my_slot() { return u::slot_of(static_cast<unsigned>(info(1))); }

/// Registers the calling thread as a receiver whose interrupts run @p handler (with
/// @p arg in slot->handler_arg) and enables them: the receiver id, or -errno.
long become_receiver(Handler handler, void* arg = nullptr);

/// Starts a thread that receives this process's ch4 completions by user interrupt
/// (the paper's KCUC path): its handler drains the completion ring and wakes the
/// coroutines. Returns once it is in place: 0, or -errno.
long start_completion_receiver();
/// Completion interrupts handled so far, and completions they took.
struct CompletionStats {
    std::uint64_t interrupts;   ///< handler runs
    std::uint64_t completions;  ///< completions those runs took from the ring
};
/// This process's counters.
CompletionStats completion_stats();

}  // namespace cops::user::uintr
