/// @file call.hpp
/// @brief A system call in flight: tried once on the spot, else carried out by a
/// kernel coroutine whose frame comes from a pool sized at boot.
///
///     prepare()   check the fd and the buffer (EBADF, EFAULT: the same for both forms)
///     attempt()   one try, on the spot: a result, or kWouldBlock
///     start()     kWouldBlock: a pooled record and a pooled kernel coroutine carry it
///                 out; a sync caller's thread waits for it, an async caller gets
///                 kInProgress and the result comes through its completion ring
///
/// The kernel coroutine tries again each time the device is ready; it copies into
/// user memory only under the process's I/O lock and only while the process is not
/// ending (ProcessIo::closed), so nothing is written into freed frames.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "cops/io/file.hpp"
#include "cops/lib/intrusive_list.hpp"
#include "cops/lib/result.hpp"
#include "cops/proc/syscall.hpp"
#include "cops/sched/ccb.hpp"
#include "cops/sched/priority.hpp"

namespace cops::proc {
struct ProcessIo;
}

namespace cops::io {

/// The calls that may wait.
enum class CallKind : std::uint8_t {
    Read,       ///< read(fd, buf, len)
    Write,      ///< write(fd, buf, len)
    Sleep,      ///< sleep(ticks)
    Flush,      ///< fsync(fd): the disk's written sectors to stable storage
    Extension,  ///< a later layer's call on its kind of file (Call::op says which; file_ops.hpp)
};

/// Tag of the hook that lists a call in its process's ProcessIo (in flight, or held).
struct CallListTag {};

/// One call. On the caller's stack while it is tried on the spot; copied into a
/// pooled record when it must wait.
struct Call : lib::ListHook<CallListTag> {
    proc::ProcessIo* io = nullptr;            ///< the caller's process
    proc::UserThread* thread = nullptr;       ///< a sync caller's thread (it waits); nullptr: async
    std::uint64_t user_cid = 0;               ///< an async caller's cid (echoed in the completion)
    sched::Priority level{};                  ///< the caller's level, clamped by the ceiling
    CallKind kind = CallKind::Read;           ///< what it does
    File* file = nullptr;                     ///< the file (one reference held), or nullptr (sleep)
    std::uint64_t buffer = 0;                 ///< user address
    std::uint64_t length = 0;                 ///< bytes asked for
    std::uint64_t done = 0;                   ///< bytes written so far (write)
    std::uint64_t deadline = 0;               ///< tick at which a sleep ends
    std::int64_t result = 0;                  ///< the result, once finished (held completions)
    std::atomic<std::uint32_t> cancelled{0};  ///< non-zero: its process is ending, give up
    unsigned woke = 0;                        ///< coroutines its attempts woke (waiting calls of others)
    std::uint32_t op = 0;                     ///< which Extension call (the layer's own numbering)
    std::uint32_t seen = 0;                   ///< the file's readiness sequence before the last try
    sched::Cid kernel_cid{};                  ///< the kernel coroutine carrying it out
    Call* next_free = nullptr;                ///< link in the pool's free list
};

/// Checks a call's arguments and fills @p call (taking a reference on its file).
/// Returns 0, or -EBADF / -EFAULT / -EINVAL.
std::int64_t prepare(proc::ProcessIo& io, CallKind kind, const proc::SyscallArgs& args, Call& call);
/// One try on the spot: the result, or kWouldBlock.
std::int64_t attempt(Call& call);
/// Carries @p call (which attempt() left at kWouldBlock) on in a kernel coroutine:
/// copies it into a pooled record and starts the coroutine. For a sync call,
/// @p call.thread is set and will be finished with proc::finish_call(). Returns 0, or
/// -EAGAIN when the pool or the process's share of it is full (the file reference
/// is then dropped).
std::int64_t start(const Call& call);
/// Drops the file reference of a call that finished on the spot.
void finish_on_the_spot(Call& call);

/// Copies @p n bytes from @p from to the caller's user address @p to, if its process
/// is not ending (under its I/O lock). False: a bad address, or the process ends.
bool copy_to_caller(Call& call, std::uint64_t to, const void* from, std::size_t n);
/// Copies @p n bytes from the caller's user address @p from to @p to, likewise.
bool copy_from_caller(Call& call, void* to, std::uint64_t from, std::size_t n);

/// Returns a held record to the pool (its completion was posted or dropped).
void free_call(Call& call);

/// Counters of the pool.
struct CallPoolStats {
    std::uint32_t capacity = 0;       ///< records (and frames) in the pool
    std::uint32_t in_use = 0;         ///< records taken now (in flight or held)
    std::uint32_t frames_in_use = 0;  ///< kernel coroutine frames taken now
    std::uint32_t high_water = 0;     ///< most records taken at once
    std::uint64_t refused = 0;        ///< calls refused with EAGAIN
    std::uint64_t started = 0;        ///< calls carried out by a kernel coroutine
    std::uint64_t on_the_spot = 0;    ///< calls finished on the spot (the fast path)
};
/// The counters now.
CallPoolStats call_pool_stats();
/// Records (and frames) in the pool, set at boot.
inline constexpr std::uint32_t kCallPoolSize = 1024;
/// Bytes of one pooled kernel-coroutine frame (carry_out's frame must fit: checked when it fails).
inline constexpr std::uint32_t kCallFrameSlotBytes = 512;

}  // namespace cops::io

namespace cops::proc {
struct SyscallContext;
/// The one kernel entry of every call that may wait, for both forms (sync: a5 == 0;
/// async: a5 = cid, a4 = level): prepare, one try on the spot, else start() and either
/// wait (sync) or return kInProgress (async). @p op names an Extension call.
std::int64_t io_entry(SyscallContext& c, io::CallKind kind, std::uint32_t op = 0);

/// The entry of another way of carrying calls that must wait (a later layer's: ch6's
/// kernel-thread models), used for processes whose ProcessIo::wait_model is not 0.
using WaitModelEntry = std::int64_t (*)(SyscallContext& c, io::CallKind kind, std::uint32_t op);
/// Installs @p entry (once, at boot).
void set_wait_model_entry(WaitModelEntry entry);
/// What the calls that may wait are registered with: io_entry(), unless the caller's
/// process picked another model and a later layer installed its entry.
std::int64_t io_call(SyscallContext& c, io::CallKind kind, std::uint32_t op = 0);
}  // namespace cops::proc
