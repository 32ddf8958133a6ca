/// @file process_io.hpp
/// @brief Chapter 4's state of one process: file descriptors, the completion ring,
/// and the calls it has in flight (Process::io).
///
/// Set up by a process hook at spawn (process_hooks.hpp): fds 0, 1, 2 open on the
/// console, and the ring page mapped at abi::kCompletionRingAddress. When the
/// process starts ending, `closed` is set: its fds are closed and its calls in flight
/// are cancelled, and from then on nothing writes into its memory or its ring. The
/// object itself lives on while calls still hold references to it.
#pragma once

#include <atomic>
#include <cstdint>

#include "cops/abi/io_abi.hpp"
#include "cops/io/call.hpp"
#include "cops/io/file.hpp"
#include "cops/lib/intrusive_list.hpp"
#include "cops/proc/process.hpp"
#include "cops/sync/spinlock.hpp"

namespace cops::proc {

/// How a process learns that a completion was posted for a coroutine at @p level
/// (called with its ProcessIo lock held, so it must not take that lock). ch4's
/// default is proc::make_runnable(); ch5 installs one that raises a user interrupt.
using CompletionNotifier = void (*)(Process& process, sched::Priority level);

/// One process's I/O state.
struct ProcessIo {
    /// Guards what follows. Lock order: this, then a pipe's, then the address space's,
    /// then the global view's.
    sync::SpinLock lock;
    Process* process = nullptr;           ///< the process (only while !closed)
    bool closed = false;                  ///< it is ending: touch none of its memory
    abi::CompletionRing* ring = nullptr;  ///< its ring page, kernel address (valid while !closed)
    std::atomic<std::uint32_t> tail{0};   ///< completions posted (the kernel's own copy of ring->tail)
    io::File* fds[abi::kMaxFds] = {};     ///< open files by descriptor
    lib::IntrusiveList<io::Call, io::CallListTag> in_flight;  ///< calls being carried out
    lib::IntrusiveList<io::Call, io::CallListTag> held;       ///< finished, waiting for room in the ring
    std::atomic<std::uint32_t> held_count{0};                 ///< held.size(), read without the lock
    std::atomic<std::uint32_t> refs{1};                       ///< the process, and each call in flight or held
    CompletionNotifier notify = nullptr;  ///< how a posted completion reaches the process (set at spawn)
    /// How its calls that must wait are carried: 0 is this chapter's way (a kernel
    /// coroutine per call); a later layer numbers others (ch6: abi::IoModel) and
    /// carries them through set_wait_model_entry() (call.hpp).
    std::atomic<std::uint8_t> wait_model{0};
};

}  // namespace cops::proc

namespace cops::io {

/// The file open on @p fd in @p io, with a reference taken, or nullptr (EBADF).
File* take_file(proc::ProcessIo& io, std::uint64_t fd);
/// Installs @p f (whose reference it takes over) at the lowest free fd: the fd, or
/// -EMFILE when the table is full (the reference is then dropped).
std::int64_t install_file(proc::ProcessIo& io, File& f);
/// Closes @p fd. 0, or -EBADF.
std::int64_t close_fd(proc::ProcessIo& io, std::uint64_t fd);

/// Posts the completion of async call @p call (finished with @p result) to its
/// process's ring and makes the process runnable at the call's level. A full ring
/// holds the record (nothing is lost); an ending process drops it. Returns true when
/// the record was kept (held), false when the caller must free it.
bool post_completion(Call& call, std::int64_t result);
/// Moves held completions into the ring while it has room; returns how many moved.
std::uint32_t take_held(proc::ProcessIo& io);

/// park()'s question (proc::set_pending_work_check): has @p p completions it has not
/// taken yet (in the ring, or held)? An ending process answers yes (do not park).
bool has_untaken_completions(const proc::Process& p);

/// The notifier new processes get (nullptr: proc::make_runnable). A later layer sets it
/// at boot, or per process with set_completion_notifier().
void set_default_completion_notifier(proc::CompletionNotifier notify);
/// Replaces @p io's notifier (nullptr: proc::make_runnable).
void set_completion_notifier(proc::ProcessIo& io, proc::CompletionNotifier notify);

/// Takes one more reference on @p io (a call starts).
void retain(proc::ProcessIo& io);
/// Drops a reference on @p io; the last one frees it.
void release(proc::ProcessIo& io);

/// Processes' I/O states alive now (for tests: back to its start once they end).
std::uint32_t live_process_io();

}  // namespace cops::io
