/// @file process_io.cpp
/// @brief Each process's fds and completion ring: set up at spawn, closed when it
/// ends, freed with its last reference; posting completions and waking the process.
#include "cops/io/process_io.hpp"

#include <new>

#include "cops/init/initcall.hpp"
#include "cops/lib/console.hpp"
#include "cops/mm/address_space.hpp"
#include "cops/proc/global_view.hpp"
#include "cops/proc/process_hooks.hpp"
#include "cops/sched/kernel_executor.hpp"

namespace cops::io {

namespace {
using proc::Process;
using proc::ProcessIo;

std::atomic<std::uint32_t> g_live{0};
proc::CompletionNotifier g_default_notifier = nullptr;

/// Tells the process a completion is there (the lock is held: the process exists).
void notify_locked(ProcessIo& io, sched::Priority level) {
    (io.notify != nullptr ? io.notify : proc::make_runnable)(*io.process, level);
}

/// Writes @p c into the ring if it has room (the lock is held). The process may
/// write anything into `head`: a value that makes no sense only makes the ring look
/// full, so the kernel never writes outside the entries it owns.
bool push_locked(ProcessIo& io, const abi::Completion& c) {
    const std::uint32_t tail = io.tail.load(std::memory_order_relaxed);
    const std::uint32_t head = io.ring->head.load(std::memory_order_acquire);  // untrusted
    if (tail - head >= abi::kRingEntries) {
        return false;
    }
    io.ring->entries[tail % abi::kRingEntries] = c;
    io.tail.store(tail + 1, std::memory_order_relaxed);
    io.ring->tail.store(tail + 1, std::memory_order_release);  // the entry before the index
    return true;
}

/// Moves held completions into the ring, oldest first (the lock is held); the
/// records it posted go to @p posted (capacity abi::kMaxCallsPerProcess).
unsigned flush_held_locked(ProcessIo& io, Call** posted) {
    unsigned n = 0;
    while (Call* c = io.held.front()) {
        if (!push_locked(io, {c->user_cid, c->result})) {
            break;
        }
        io.held.pop_front();
        posted[n++] = c;
    }
    io.held_count.store(static_cast<std::uint32_t>(io.held.size()), std::memory_order_relaxed);
    io.ring->held.store(static_cast<std::uint32_t>(io.held.size()), std::memory_order_relaxed);
    return n;
}

/// Closes everything of @p io (the lock is held): fds, calls in flight (cancelled:
/// their kernel coroutines are collected in @p wake), held completions (moved to
/// @p dropped). Returns the number of held records moved.
unsigned close_locked(ProcessIo& io, File** files, sched::Cid* wake, unsigned& n_wake, Call** dropped) {
    io.closed = true;
    io.process = nullptr;
    io.ring = nullptr;
    for (unsigned fd = 0; fd < abi::kMaxFds; ++fd) {
        files[fd] = io.fds[fd];
        io.fds[fd] = nullptr;
    }
    io.in_flight.for_each([&](Call& c) {
        c.cancelled.store(1, std::memory_order_release);
        wake[n_wake++] = c.kernel_cid;
    });
    unsigned n = 0;
    while (Call* c = io.held.pop_front()) {
        dropped[n++] = c;
    }
    io.held_count.store(0, std::memory_order_relaxed);
    return n;
}

/// Closes @p io unless it is closed already: the process is ending (or was never started).
void close_io(ProcessIo& io) {
    File* files[abi::kMaxFds];
    sched::Cid wake[abi::kMaxCallsPerProcess];
    Call* dropped[abi::kMaxCallsPerProcess];
    unsigned n_wake = 0;
    unsigned n_dropped = 0;
    {
        sync::LockGuard g(io.lock);
        if (io.closed) {
            return;
        }
        n_dropped = close_locked(io, files, wake, n_wake, dropped);
    }
    for (File* f : files) {
        if (f != nullptr) {
            release(*f);
        }
    }
    for (unsigned i = 0; i < n_wake; ++i) {
        (void)sched::kernel_executor().wake(wake[i]);  // it sees `cancelled` and finishes
    }
    for (unsigned i = 0; i < n_dropped; ++i) {
        free_call(*dropped[i]);
    }
}

Status on_created(Process& p) {
    auto* io = new (std::nothrow) ProcessIo;
    if (io == nullptr) {
        return Error::OutOfMemory;
    }
    using mm::PteFlag;
    if (const Status s = p.space.map_zeroed(abi::kCompletionRingAddress, 4096, PteFlag::Read | PteFlag::Write); !s) {
        delete io;
        return s;
    }
    const auto page = p.space.translate(abi::kCompletionRingAddress);
    io->ring = mm::pointer_to<abi::CompletionRing>(page->physical);
    io->ring->capacity = abi::kRingEntries;
    io->process = &p;
    io->notify = g_default_notifier;
    io->fds[0] = &console_in();
    io->fds[1] = &console_out();
    io->fds[2] = &console_out();
    p.io = io;
    g_live.fetch_add(1, std::memory_order_relaxed);
    return {};
}

void on_ending(Process& p) {
    if (p.io != nullptr) {
        close_io(*p.io);
    }
}

void on_freed(Process& p) {
    if (ProcessIo* io = p.io) {
        close_io(*io);  // a process that never started never ended
        p.io = nullptr;
        release(*io);
    }
}

void install_hooks() {
    proc::add_process_hooks({"ch4 file descriptors and completion ring", on_created, on_ending, on_freed});
    proc::set_pending_work_check(has_untaken_completions);
}
COPS_INITCALL(late, install_hooks);

}  // namespace

bool has_untaken_completions(const Process& p) {
    const ProcessIo* io = p.io;
    if (io == nullptr || p.ending.load(std::memory_order_acquire)) {
        return io != nullptr;  // ending: do not park, the thread is about to finish
    }
    const abi::CompletionRing* ring = io->ring;
    return io->held_count.load(std::memory_order_relaxed) != 0 ||
           (ring != nullptr && ring->head.load(std::memory_order_relaxed) != io->tail.load(std::memory_order_relaxed));
}

File* take_file(ProcessIo& io, std::uint64_t fd) {
    sync::LockGuard g(io.lock);
    if (io.closed || fd >= abi::kMaxFds || io.fds[fd] == nullptr) {
        return nullptr;
    }
    retain(*io.fds[fd]);
    return io.fds[fd];
}

std::int64_t install_file(ProcessIo& io, File& f) {
    {
        sync::LockGuard g(io.lock);
        for (unsigned fd = 0; fd < abi::kMaxFds && !io.closed; ++fd) {
            if (io.fds[fd] == nullptr) {
                io.fds[fd] = &f;
                return fd;
            }
        }
    }
    release(f);
    return abi::error_return(abi::kErrTooManyFiles);
}

std::int64_t close_fd(ProcessIo& io, std::uint64_t fd) {
    File* f = nullptr;
    {
        sync::LockGuard g(io.lock);
        if (fd < abi::kMaxFds) {
            f = io.fds[fd];
            io.fds[fd] = nullptr;
        }
    }
    if (f == nullptr) {
        return abi::error_return(abi::Errno::BadFd);
    }
    release(*f);
    return 0;
}

bool post_completion(Call& call, std::int64_t result) {
    ProcessIo& io = *call.io;
    Call* posted[abi::kMaxCallsPerProcess];
    unsigned n = 0;
    bool kept = false;
    {
        sync::LockGuard g(io.lock);
        io.in_flight.remove(call);
        // LAB(ch4): post a completion and wake the process
        // An ending process gets nothing (its memory may be freed soon): drop it. Else
        // post {cid, result} after any completions held earlier (order is kept); when
        // the ring is full, hold the record instead (nothing is lost: take_held() and
        // later posts move it). Then notify the process at the call's level
        // (notify_locked: by default it becomes runnable), under this lock, while the
        // process is sure to exist.
        if (!io.closed) {
            n = flush_held_locked(io, posted);
            call.result = result;
            if (io.held.empty() && push_locked(io, {call.user_cid, result})) {
                kept = false;
            } else {
                io.held.push_back(call);
                io.held_count.store(static_cast<std::uint32_t>(io.held.size()), std::memory_order_relaxed);
                io.ring->held.store(static_cast<std::uint32_t>(io.held.size()), std::memory_order_relaxed);
                kept = true;
            }
            notify_locked(io, call.level);
        }
        // LAB-STUB: (void)result; (void)flush_held_locked; (void)push_locked; (void)notify_locked;
        // END-LAB
    }
    for (unsigned i = 0; i < n; ++i) {
        free_call(*posted[i]);
    }
    return kept;
}

std::uint32_t take_held(ProcessIo& io) {
    Call* posted[abi::kMaxCallsPerProcess];
    unsigned n = 0;
    {
        sync::LockGuard g(io.lock);
        if (!io.closed) {
            n = flush_held_locked(io, posted);
        }
    }
    for (unsigned i = 0; i < n; ++i) {
        free_call(*posted[i]);
    }
    return n;
}

void set_default_completion_notifier(proc::CompletionNotifier notify) { g_default_notifier = notify; }

void set_completion_notifier(ProcessIo& io, proc::CompletionNotifier notify) {
    sync::LockGuard g(io.lock);
    io.notify = notify;
}

void retain(ProcessIo& io) { io.refs.fetch_add(1, std::memory_order_relaxed); }

void release(ProcessIo& io) {
    if (io.refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        delete &io;
        g_live.fetch_sub(1, std::memory_order_relaxed);
    }
}

std::uint32_t live_process_io() { return g_live.load(std::memory_order_relaxed); }

}  // namespace cops::io
