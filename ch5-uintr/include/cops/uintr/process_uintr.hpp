/// @file process_uintr.hpp
/// @brief The kernel's side of user-space interrupts: each process's state page and
/// sender table, the system's receivers, and sending.
///
///     register_receiver(thread)        -> receiver id (one per thread)
///     allow_sender(owner, id, pid)     pid may now make senders for it
///     register_sender(p, id, vector)   -> a handle in p's sender table
///     send(p, handle)                  raise the vector on the receiver and make
///                                      sure it sees it: wake it if it waits, make it
///                                      runnable if parked, IPI its hart if it runs
///
/// A receiver lives until its process ends; then it is revoked (its generation
/// moves on), and every handle naming it fails with EPIPE. A process's handles go
/// with it.
#pragma once

#include <atomic>
#include <cstdint>

#include "cops/abi/uintr_abi.hpp"
#include "cops/proc/process.hpp"

namespace cops::proc {

/// One process's user-interrupt state (Process::uintr).
struct ProcessUintr {
    Process* process = nullptr;                    ///< the owner
    abi::uintr::Slot* slots = nullptr;             ///< the state page, kernel address (slot i: thread index i)
    std::atomic<int> on_hart[abi::uintr::kSlots];  ///< hart index while the thread is in user mode, else -1
    std::atomic<std::uint32_t> waiting[abi::uintr::kSlots];  ///< blocked in wait() until USIP
    int receiver_of[abi::uintr::kSlots];                     ///< the thread's receiver id, or -1 (under the table lock)
    /// One sender handle (under the table lock).
    struct Sender {
        bool used = false;             ///< made by register_sender()
        std::uint16_t receiver = 0;    ///< the receiver id
        std::uint32_t generation = 0;  ///< the receiver's generation when it was made
        std::uint8_t vector = 0;       ///< the bit it raises
    };
    Sender senders[abi::uintr::kMaxSenders];   ///< by handle
    std::atomic<int> completion_receiver{-1};  ///< ch4 completions raise a vector on it (-1: the default path)
    unsigned completion_vector = 0;            ///< that vector
    /// Native backend only: the sender table the hardware reads (suist), one kernel
    /// frame of kMaxSenders uintc::sender_entry() words, kept in step with senders[].
    std::uint64_t* hardware_senders = nullptr;
    std::atomic<std::uint64_t> emulated{0};   ///< instructions emulated for it
    std::atomic<std::uint64_t> delivered{0};  ///< interrupts delivered to its threads
};

}  // namespace cops::proc

namespace cops::uintr {

/// Which implementation of the N extension the kernel found at boot.
enum class Backend : std::uint8_t {
    Emulated,  ///< no N extension: trap-and-emulate, state in memory (QEMU 7.2)
    Native,    ///< the CPU has it and a UINTC is in the device tree (the FPGA board)
};
/// The backend chosen at boot.
Backend backend();
/// Native backend: the controller's registers (nullptr otherwise).
volatile std::uint64_t* controller_base();

/// Makes @p thread a receiver (idempotent): its id, or -EAGAIN when the table is full.
std::int64_t register_receiver(proc::UserThread& thread);
/// Lets process @p pid make senders for receiver @p id, owned by @p owner's process:
/// 0, -ESRCH (no such receiver), -EPERM (not @p owner's), -EAGAIN (kMaxAllowed).
std::int64_t allow_sender(proc::Process& owner, std::uint64_t id, std::uint64_t pid);
/// A handle of @p p for receiver @p id and @p vector: the index, -EINVAL (vector),
/// -ESRCH (no such receiver), -EPERM (not allowed), -EAGAIN (the table is full).
std::int64_t register_sender(proc::Process& p, std::uint64_t id, std::uint64_t vector);
/// Sends on @p p's handle @p handle: 0, -EBADF (no such handle), -EPIPE (revoked).
std::int64_t send(proc::Process& p, std::uint64_t handle);
/// Raises @p vector on thread @p index of @p p and gets it noticed (the caller makes
/// sure @p p is alive: the table lock, or ch4's I/O lock of an open process).
void post(proc::Process& p, unsigned index, unsigned vector);

/// The receiver id of thread @p index of @p p, or -1.
int receiver_of(const proc::Process& p, unsigned index);
/// Receivers alive in the system.
unsigned live_receivers();
/// Sender handles @p p holds.
unsigned live_senders(const proc::Process& p);
/// Receivers registered since boot (for tests: a revoked id is never reused by an
/// older handle: generations).
std::uint64_t receivers_registered();

/// Sets @p p's completion path: @p vector >= 0 raises it on @p thread (which must be a
/// receiver) for each ch4 completion; -1 gives the default back. 0 or -EINVAL.
std::int64_t use_for_completions(proc::UserThread& thread, std::int64_t vector);

/// Called by the ending hook: revokes @p p's receivers, wakes its waiting threads.
void revoke(proc::Process& p);

}  // namespace cops::uintr

namespace cops::uintr {
/// ProcessUintr objects alive (for tests: back to the start once processes are gone).
unsigned live_process_state();
}  // namespace cops::uintr
