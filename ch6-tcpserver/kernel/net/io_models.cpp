/// @file io_models.cpp
/// @brief The server experiment's kernel models (io_models.hpp): set_io_model(),
/// the thread models' entry, the sleeping thread's wait, and the polling thread.
#include "cops/net/io_models.hpp"

#include <atomic>

#include "cops/abi/net_abi.hpp"
#include "cops/dev/timer.hpp"
#include "cops/init/initcall.hpp"
#include "cops/io/call.hpp"
#include "cops/io/file_ops.hpp"
#include "cops/io/process_io.hpp"
#include "cops/lib/panic.hpp"
#include "cops/mm/address_space.hpp"
#include "cops/proc/process.hpp"
#include "cops/proc/syscall.hpp"
#include "cops/proc/user_thread.hpp"
#include "cops/sched/frame_pool.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/sched/suspend.hpp"

namespace cops::net {

namespace {
using abi::Errno;
using abi::IoModel;

/// Frames of sleeping threads' waits (one per thread that sleeps in a socket call).
constexpr std::uint32_t kWaitSlots = 256;
/// Bytes of one such frame (sleep_then_retry's frame must fit: checked when it fails).
constexpr std::uint32_t kWaitSlotBytes = 512;

sched::FramePool g_wait_frames;
io::Readiness g_sweep;        // moved by the polling thread at every sweep
io::Readiness g_poller_wake;  // wakes the polling thread when calls wait for it
std::atomic<std::uint64_t> g_retries{0};
std::atomic<std::uint64_t> g_sweeps{0};
const std::atomic<std::uint32_t> g_never_cancelled{0};

/// What a sleeping thread's wait carries over from the entry (a Call holds atomics
/// and a list hook, so it is rebuilt in the wait's frame, not copied).
struct PendingCall {
    proc::ProcessIo* io;
    io::CallKind kind;
    io::File* file;  // one reference, dropped when the wait ends
    std::uint64_t buffer;
    std::uint64_t length;
    std::uint32_t op;
    std::uint32_t seen;
};

/// SleepingThreads: the calling thread's own coroutine waits for the socket's event
/// count to move past what it read before the last try, and tries again, until the
/// call finishes or the process ends (ending wakes the thread; the wait sees it).
sched::Task<std::int64_t> sleep_then_retry(sched::FramePool& frames, proc::UserThread& t, PendingCall p) {
    (void)frames;
    io::Call call;
    call.io = p.io;
    call.kind = p.kind;
    call.file = p.file;
    call.buffer = p.buffer;
    call.length = p.length;
    call.op = p.op;
    call.seen = p.seen;
    std::int64_t result = io::kWouldBlock;
    while (result == io::kWouldBlock) {
        if (t.process->ending.load(std::memory_order_acquire)) {
            result = abi::error_return(abi::kErrInterrupted);
            break;
        }
        co_await call.file->ops->readiness(call).changed_since(call.seen, g_never_cancelled);
        g_retries.fetch_add(1, std::memory_order_relaxed);
        result = io::attempt(call);
    }
    io::finish_on_the_spot(call);
    co_return result;
}

/// True when @p call is on a socket (the thread models cover only socket calls).
bool on_socket(const io::Call& call) { return call.file != nullptr && call.file->kind == io::FileKind::Extension; }

/// The entry of a process whose model is not Coroutines (proc::io_call()).
std::int64_t model_entry(proc::SyscallContext& c, io::CallKind kind, std::uint32_t op) {
    proc::ProcessIo& pio = *c.thread.process->io;
    const auto model = static_cast<IoModel>(pio.wait_model.load(std::memory_order_relaxed));
    const bool async = c.args[abi::kAsyncCidArg] != 0;
    if (async || (model != IoModel::RetryingThreads && model != IoModel::SleepingThreads)) {
        return proc::io_entry(c, kind, op);  // Polled differs only in what its calls wait on
    }
    io::Call call;
    call.op = op;
    if (const std::int64_t bad = io::prepare(pio, kind, c.args, call); bad != 0) {
        return bad;
    }
    if (!on_socket(call)) {
        io::finish_on_the_spot(call);  // not a socket: ch4's way (it checks again)
        return proc::io_entry(c, kind, op);
    }
    const std::int64_t r = io::attempt(call);
    if (r != io::kWouldBlock) {
        io::finish_on_the_spot(call);
        return r;
    }
    if (model == IoModel::RetryingThreads) {
        io::finish_on_the_spot(call);  // the next try starts over, fd and all
        g_retries.fetch_add(1, std::memory_order_relaxed);
        c.retry_after_yield = true;
        return 0;
    }
    c.then = sleep_then_retry(g_wait_frames, c.thread,
                              PendingCall{call.io, call.kind, call.file, call.buffer, call.length, call.op, call.seen});
    if (!c.then.valid()) {
        if (g_wait_frames.too_big() != 0) {
            panic("io models: sleep_then_retry's frame does not fit a slot of {} bytes", kWaitSlotBytes);
        }
        io::finish_on_the_spot(call);
        return abi::error_return(Errno::Again);  // every wait frame is taken
    }
    return 0;
}

/// model_memory(): what the calling process holds now, in bytes (abi::ModelMemory).
std::int64_t sys_model_memory(proc::SyscallContext& c) {
    proc::Process& p = *c.thread.process;
    const auto& executor = sched::kernel_executor();
    switch (static_cast<abi::ModelMemory>(c.args[0])) {
        case abi::ModelMemory::MappedBytes: return static_cast<std::int64_t>(p.space.mapped_pages() * 4096);
        case abi::ModelMemory::StackBytes: return static_cast<std::int64_t>(p.thread_count * mm::kUserStackBytes);
        case abi::ModelMemory::CallBytes: {
            std::size_t calls = 0;
            {
                sync::LockGuard g(p.io->lock);
                calls = p.io->in_flight.size();
            }
            return static_cast<std::int64_t>(calls * (sizeof(io::Call) + io::kCallFrameSlotBytes + sizeof(sched::Ccb)));
        }
        case abi::ModelMemory::ThreadBytes: {
            std::int64_t bytes = 0;
            for (unsigned i = 0; i < p.thread_count; ++i) {
                const proc::UserThread* t = p.threads[i];
                if (t != nullptr) {
                    bytes += static_cast<std::int64_t>(sizeof(proc::UserThread) + sizeof(sched::Ccb) +
                                                       executor.frame_bytes(t->cid).value_or(0));
                }
            }
            return bytes;
        }
        case abi::ModelMemory::WaitBytes: return static_cast<std::int64_t>(g_wait_frames.in_use()) * kWaitSlotBytes;
    }
    return abi::error_return(Errno::Invalid);
}

std::int64_t sys_set_io_model(proc::SyscallContext& c) {
    if (c.args[0] > static_cast<std::uint64_t>(IoModel::Polled)) {
        return abi::error_return(Errno::Invalid);
    }
    c.thread.process->io->wait_model.store(static_cast<std::uint8_t>(c.args[0]), std::memory_order_relaxed);
    return 0;
}

/// The polling kernel thread (KTUC): while calls wait for it, it moves the sweep's
/// event count (every waiting call tries again) and yields, over and over; it never
/// sleeps while anything waits. With nothing waiting it waits to be woken.
sched::Task<void> poller() {
    for (;;) {
        const std::uint32_t seen = g_poller_wake.sequence();
        if (g_sweep.waiting() == 0) {
            co_await g_poller_wake.changed_since(seen, g_never_cancelled);
            continue;
        }
        (void)g_sweep.signal();
        g_sweeps.fetch_add(1, std::memory_order_relaxed);
        co_await sched::yield();
    }
}

/// A tick wakes an idle poller if calls have started to wait for it since (the
/// entry does not wake it: a call queues on the sweep after its try).
void on_tick(std::uint64_t) {
    if (g_sweep.waiting() != 0) {
        (void)g_poller_wake.signal();
    }
}

void start_io_models() {
    void* frames = ::operator new (std::size_t{kWaitSlots} * kWaitSlotBytes, std::nothrow);
    if (frames == nullptr) {
        panic("io models: no memory for {} wait frames", kWaitSlots);
    }
    g_wait_frames.init(frames, kWaitSlots, kWaitSlotBytes);
    proc::set_wait_model_entry(model_entry);
    proc::register_syscall(abi::kSysSetIoModel, {"set_io_model", sys_set_io_model, nullptr});
    proc::register_syscall(abi::kSysModelMemory, {"model_memory", sys_model_memory, nullptr});
    // At the level user processes run at: it takes turns with the server's own work.
    if (const auto cid = sched::spawn(poller(), proc::kDefaultUserPriority); !cid) {
        panic("io models: cannot start the polling thread: {}", error_name(cid.error()));
    }
    if (!dev::timer::add_tick_hook(on_tick)) {
        panic("io models: no tick hook left for the polling thread");
    }
}
COPS_INITCALL(late, start_io_models, start_stack);

}  // namespace

io::Readiness& polled_sweep() { return g_sweep; }

IoModelCounters io_model_counters() {
    return {g_retries.load(std::memory_order_relaxed), g_sweeps.load(std::memory_order_relaxed)};
}

}  // namespace cops::net
