/// @file call.cpp
/// @brief Calls in flight: the checks, one try on the spot, and the pooled kernel
/// coroutine that carries on a call that must wait.
#include "cops/io/call.hpp"

#include <new>

#include "cops/dev/timer.hpp"
#include "cops/dev/uart.hpp"
#include "cops/dev/virtio_blk.hpp"
#include "cops/init/initcall.hpp"
#include "cops/io/process_io.hpp"
#include "cops/io/readiness.hpp"
#include "cops/lib/console.hpp"
#include "cops/lib/panic.hpp"
#include "cops/mm/address_space.hpp"
#include "cops/sched/frame_pool.hpp"
#include "cops/sched/kernel_executor.hpp"
#include "cops/time/sleep.hpp"

namespace cops::io {

namespace {
using abi::Errno;
using proc::ProcessIo;

constexpr std::uint32_t kFrameSlotBytes = kCallFrameSlotBytes;

/// The records and frames, allocated once at boot.
struct CallPool {
    sync::SpinLock lock;
    Call* records = nullptr;
    Call* free = nullptr;
    sched::FramePool frames;
    CallPoolStats stats;
};
CallPool g_pool;
std::atomic<std::uint64_t> g_on_the_spot{0};

void create_pool() {
    g_pool.records = new (std::nothrow) Call[kCallPoolSize];
    void* frames = ::operator new (std::size_t{kCallPoolSize} * kFrameSlotBytes, std::nothrow);
    if (g_pool.records == nullptr || frames == nullptr) {
        panic("calls: no memory for a pool of {} calls", kCallPoolSize);
    }
    for (std::uint32_t i = kCallPoolSize; i-- > 0;) {
        g_pool.records[i].next_free = g_pool.free;
        g_pool.free = &g_pool.records[i];
    }
    g_pool.frames.init(frames, kCallPoolSize, kFrameSlotBytes);
    g_pool.stats.capacity = kCallPoolSize;
}
COPS_INITCALL(device, create_pool);

Call* take_record() {
    sync::LockGuard g(g_pool.lock);
    Call* c = g_pool.free;
    if (c == nullptr) {
        return nullptr;
    }
    g_pool.free = c->next_free;
    if (++g_pool.stats.in_use > g_pool.stats.high_water) {
        g_pool.stats.high_water = g_pool.stats.in_use;
    }
    return c;
}

void count_refused() {
    sync::LockGuard g(g_pool.lock);
    ++g_pool.stats.refused;
}

bool readable(FileKind k) {
    return k == FileKind::ConsoleIn || k == FileKind::PipeRead || k == FileKind::Disk || k == FileKind::Extension;
}
bool writable(FileKind k) {
    return k == FileKind::ConsoleOut || k == FileKind::PipeWrite || k == FileKind::Disk || k == FileKind::Extension;
}

/// Writes to the console at once (it never makes a caller wait for long).
std::int64_t write_console(const mm::AddressSpace& space, std::uint64_t buffer, std::uint64_t length) {
    constexpr std::size_t kChunk = 128;
    char chunk[kChunk];
    for (std::uint64_t done = 0; done < length;) {
        const std::size_t n = length - done < kChunk ? static_cast<std::size_t>(length - done) : kChunk;
        if (!mm::copy_in(space, chunk, buffer + done, n)) {
            return abi::error_return(Errno::Fault);
        }
        console::write({chunk, n});
        done += n;
    }
    return static_cast<std::int64_t>(length);
}

/// Reads a line from the console into the caller's buffer, a byte at a time.
sched::Task<std::int64_t> read_console_line(Call& c) {
    dev::Uart* uart = dev::console_uart();
    if (uart == nullptr) {
        co_return abi::error_return(Errno::BadFd);
    }
    std::uint64_t n = 0;
    while (n < c.length && c.cancelled.load(std::memory_order_acquire) == 0) {
        const int got = co_await uart->read_unless(c.cancelled);  // a cancel ends the wait
        if (got < 0) {
            co_return abi::error_return(abi::kErrInterrupted);
        }
        const char ch = static_cast<char>(got);
        sync::LockGuard g(c.io->lock);
        if (c.io->closed) {
            co_return abi::error_return(abi::kErrInterrupted);
        }
        if (!mm::copy_out(c.io->process->space, c.buffer + n, &ch, 1)) {
            co_return abi::error_return(Errno::Fault);
        }
        ++n;
        if (ch == '\n' || ch == '\r' || ch == 0x04) {
            break;
        }
    }
    co_return static_cast<std::int64_t>(n);
}

/// A disk read, write or flush: wait for the device, move the data through its bounce
/// buffer (under the I/O lock, while the process lives), wait for the interrupt. Its
/// frame comes from the pool too. A disk request is not cancelled: it is short, and
/// the bounce buffer may not be reused before the device is done with it.
sched::Task<std::int64_t> disk_call(sched::FramePool& frames, Call& c) {
    (void)frames;
    dev::Disk* d = dev::disk();
    if (d == nullptr) {
        co_return abi::error_return(abi::kErrNoDevice);
    }
    dev::DiskRequest r;
    r.op = c.kind == CallKind::Flush ? dev::DiskOp::Flush
                                     : (c.kind == CallKind::Read ? dev::DiskOp::Read : dev::DiskOp::Write);
    r.sector = c.file->position.load(std::memory_order_relaxed) / dev::kSectorBytes;
    r.bytes = r.op == dev::DiskOp::Flush ? 0 : static_cast<std::uint32_t>(c.length);
    d->acquire(r);
    for (bool owns = false; !owns;) {
        owns = co_await d->until(r, dev::DiskWait::Until::Owns);  // false after a stray wake
    }
    std::int64_t result = 0;
    if (r.op == dev::DiskOp::Write) {
        sync::LockGuard g(c.io->lock);
        result = c.io->closed ? abi::error_return(abi::kErrInterrupted)
                 : mm::copy_in(c.io->process->space, d->buffer(), c.buffer, c.length) ? 0
                                                                                      : abi::error_return(Errno::Fault);
    }
    if (result == 0) {
        d->submit(r);
        for (bool done = false; !done;) {
            done = co_await d->until(r, dev::DiskWait::Until::Done);
        }
        if (r.status != dev::DiskStatus::Ok) {
            result = abi::error_return(abi::kErrIo);
        } else if (r.op == dev::DiskOp::Read) {
            sync::LockGuard g(c.io->lock);
            result = c.io->closed ? abi::error_return(abi::kErrInterrupted)
                     : mm::copy_out(c.io->process->space, c.buffer, d->buffer(), c.length)
                         ? static_cast<std::int64_t>(c.length)
                         : abi::error_return(Errno::Fault);
        } else {
            result = static_cast<std::int64_t>(r.bytes);
        }
    }
    d->release();
    if (result > 0) {
        c.file->position.fetch_add(static_cast<std::uint64_t>(result), std::memory_order_relaxed);
    }
    co_return result;
}

/// Ends a call carried out by a kernel coroutine: a sync caller's thread gets the
/// result; an async caller's completion is posted to its ring.
void finish(Call& c, std::int64_t result) {
    if (c.file != nullptr) {
        release(*c.file);
        c.file = nullptr;
    }
    if (c.thread != nullptr) {
        {
            sync::LockGuard g(c.io->lock);
            c.io->in_flight.remove(c);
        }
        proc::finish_call(*c.thread, result);
        free_call(c);
        return;
    }
    if (!post_completion(c, result)) {
        free_call(c);
    }
}

/// The kernel coroutine of one call. Its first parameter puts its frame in the pool
/// (frame_pool.hpp): starting a call allocates nothing.
sched::Task<void> carry_out(sched::FramePool& frames, Call& c) {
    (void)frames;
    std::int64_t result = kWouldBlock;
    if (c.file != nullptr && c.file->kind == FileKind::Disk) {
        // (No co_await inside ?: — GCC 12 miscompiles it in a coroutine: statements only.)
        auto transfer = disk_call(frames, c);
        result = abi::error_return(Errno::Again);
        if (transfer.valid()) {
            result = co_await transfer;
        }
    } else if (c.kind == CallKind::Read && c.file->kind == FileKind::ConsoleIn) {
        auto line = read_console_line(c);  // the UART's own awaitable (ch2)
        result = abi::error_return(Errno::NoMemory);
        if (line.valid()) {
            result = co_await line;
        }
    }
    while (result == kWouldBlock) {
        if (c.cancelled.load(std::memory_order_acquire) != 0) {
            result = abi::error_return(abi::kErrInterrupted);
            break;
        }
        if (c.file != nullptr && c.file->kind == FileKind::Extension) {
            // A later layer's file: wait for its event count to move past the value
            // read before the last try (attempt() recorded it), then try again.
            co_await c.file->ops->readiness(c).changed_since(c.seen, c.cancelled);
            result = attempt(c);
            continue;
        }
        switch (c.kind) {
            case CallKind::Read: co_await c.file->pipe->until_ready(PipeEnd::Read, c.cancelled); break;
            case CallKind::Write: co_await c.file->pipe->until_ready(PipeEnd::Write, c.cancelled); break;
            case CallKind::Flush: break;      // disk only: done above
            case CallKind::Extension: break;  // extension files only: done above
            case CallKind::Sleep: {
                const std::uint64_t now = dev::timer::now_ticks();
                if (now < c.deadline) {
                    (void)co_await time::sleep_for(c.deadline - now);  // a cancel wakes it early
                }
                break;
            }
        }
        result = attempt(c);
    }
    finish(c, result);
}

}  // namespace

std::int64_t prepare(ProcessIo& io, CallKind kind, const proc::SyscallArgs& args, Call& call) {
    call.io = &io;
    call.kind = kind;
    if (kind == CallKind::Sleep) {
        const std::uint64_t now = dev::timer::now_ticks();
        call.deadline = args[0] > ~now ? ~std::uint64_t{0} : now + args[0];  // saturates, never wraps
        return 0;
    }
    File* f = take_file(io, args[0]);
    if (kind == CallKind::Extension) {
        // A later layer's own call: the file must be of its kind; its attempt checks
        // the other arguments (and reaches user memory only through copy_*_caller).
        if (f == nullptr || f->kind != FileKind::Extension) {
            if (f != nullptr) {
                release(*f);
            }
            return abi::error_return(Errno::BadFd);
        }
        call.file = f;
        call.buffer = args[1];
        call.length = args[2];
        return 0;
    }
    if (kind == CallKind::Flush) {
        if (f == nullptr) {
            return abi::error_return(Errno::BadFd);
        }
        call.file = f;
        if (f->kind != FileKind::Disk) {
            release(*f);
            call.file = nullptr;
            return abi::error_return(Errno::Invalid);  // nothing to flush
        }
        return 0;
    }
    if (f == nullptr || !(kind == CallKind::Read ? readable(f->kind) : writable(f->kind))) {
        if (f != nullptr) {
            release(*f);
        }
        return abi::error_return(Errno::BadFd);
    }
    call.file = f;
    call.buffer = args[1];
    call.length = args[2];
    if (f->kind == FileKind::Disk && (call.length % dev::kSectorBytes != 0 || call.length > dev::kMaxTransfer)) {
        release(*f);
        call.file = nullptr;
        return abi::error_return(Errno::Invalid);  // whole sectors, at most one bounce buffer
    }
    // The whole buffer is checked now, so a bad one fails before any byte moves, and
    // the same way on both forms. The calling thread runs, so the process is alive.
    const mm::PteFlags need{kind == CallKind::Read ? mm::PteFlag::Write : mm::PteFlag::Read};
    if (!mm::user_range_allowed(io.process->space, call.buffer, call.length, need)) {
        release(*f);
        call.file = nullptr;
        return abi::error_return(Errno::Fault);
    }
    return 0;
}

std::int64_t attempt(Call& c) {
    if (c.kind == CallKind::Sleep) {
        return dev::timer::now_ticks() >= c.deadline ? 0 : kWouldBlock;
    }
    if (c.file->kind == FileKind::Disk) {
        return c.length == 0 && c.kind != CallKind::Flush ? 0 : kWouldBlock;  // the device always takes a while
    }
    if (c.file->kind == FileKind::Extension) {
        c.seen = c.file->ops->readiness(c).sequence();  // before the try: no lost wake-up
        return c.file->ops->attempt(c);
    }
    sync::LockGuard g(c.io->lock);
    if (c.io->closed) {
        return abi::error_return(abi::kErrInterrupted);
    }
    const mm::AddressSpace& space = c.io->process->space;
    switch (c.file->kind) {
        case FileKind::ConsoleIn: return c.length == 0 ? 0 : kWouldBlock;  // carry_out reads it
        case FileKind::Disk: return kWouldBlock;                           // handled above
        case FileKind::Extension: return kWouldBlock;                      // handled above
        case FileKind::ConsoleOut: return write_console(space, c.buffer, c.length);
        case FileKind::PipeRead: return c.file->pipe->read(space, c.buffer, c.length, &c.woke);
        case FileKind::PipeWrite:
            while (c.done < c.length) {
                const std::int64_t r = c.file->pipe->write(space, c.buffer + c.done, c.length - c.done, &c.woke);
                if (r == kWouldBlock) {
                    return kWouldBlock;  // the rest when a reader makes room
                }
                if (r < 0) {
                    return c.done > 0 ? static_cast<std::int64_t>(c.done) : r;
                }
                c.done += static_cast<std::uint64_t>(r);
            }
            return static_cast<std::int64_t>(c.length);
    }
    return abi::error_return(Errno::BadFd);
}

std::int64_t start(const Call& call) {
    ProcessIo& io = *call.io;
    Call* c = take_record();
    std::int64_t refused = c == nullptr ? abi::error_return(Errno::Again) : 0;
    if (c != nullptr) {
        c->io = &io;
        c->thread = call.thread;
        c->user_cid = call.user_cid;
        c->level = call.level;
        c->kind = call.kind;
        c->file = call.file;
        c->buffer = call.buffer;
        c->length = call.length;
        c->done = call.done;
        c->deadline = call.deadline;
        c->op = call.op;
        c->seen = call.seen;
        c->result = 0;
        c->cancelled.store(0, std::memory_order_relaxed);
        c->kernel_cid = sched::Cid{};
        sync::LockGuard g(io.lock);
        if (io.closed) {
            refused = abi::error_return(abi::kErrInterrupted);
        } else if (io.in_flight.size() + io.held.size() >= abi::kMaxCallsPerProcess) {
            refused = abi::error_return(Errno::Again);  // its share of the pool
        } else {
            io.in_flight.push_back(*c);
            retain(io);
        }
    }
    if (refused != 0) {
        if (c != nullptr) {
            c->file = nullptr;
            c->io = nullptr;
            sync::LockGuard g(g_pool.lock);
            c->next_free = g_pool.free;
            g_pool.free = c;
            --g_pool.stats.in_use;
        }
        if (call.file != nullptr) {
            release(*call.file);
        }
        count_refused();
        return refused;
    }
    auto task = carry_out(g_pool.frames, *c);
    if (!task.valid() && g_pool.frames.too_big() != 0) {
        panic("calls: carry_out's frame does not fit a pool slot of {} bytes", kFrameSlotBytes);
    }
    auto cid = task.valid()
                   ? sched::kernel_executor().create(std::move(task), c->level, sched::CoroutineKind::KernelSyscall)
                   : Result<sched::Cid>{Error::OutOfSlots};
    if (!cid) {
        {
            sync::LockGuard g(io.lock);
            io.in_flight.remove(*c);
        }
        c->thread = nullptr;
        release(*c->file);
        c->file = nullptr;
        free_call(*c);
        count_refused();
        return abi::error_return(Errno::Again);
    }
    {
        sync::LockGuard g(io.lock);
        c->kernel_cid = cid.value();  // a cancel from now on wakes it by this cid
    }
    {
        sync::LockGuard g(g_pool.lock);
        ++g_pool.stats.started;
    }
    if (const Status s = sched::kernel_executor().start(cid.value()); !s.ok()) {
        panic("calls: cannot start the coroutine just created: {}", error_name(s.error()));
    }
    return 0;
}

void finish_on_the_spot(Call& call) {
    if (call.file != nullptr) {
        release(*call.file);
        call.file = nullptr;
    }
    g_on_the_spot.fetch_add(1, std::memory_order_relaxed);  // no lock on the fast path
}

bool copy_to_caller(Call& call, std::uint64_t to, const void* from, std::size_t n) {
    sync::LockGuard g(call.io->lock);
    return !call.io->closed && mm::copy_out(call.io->process->space, to, from, n);
}

bool copy_from_caller(Call& call, void* to, std::uint64_t from, std::size_t n) {
    sync::LockGuard g(call.io->lock);
    return !call.io->closed && mm::copy_in(call.io->process->space, to, from, n);
}

void free_call(Call& c) {
    ProcessIo* io = c.io;
    c.io = nullptr;
    c.thread = nullptr;
    {
        sync::LockGuard g(g_pool.lock);
        c.next_free = g_pool.free;
        g_pool.free = &c;
        --g_pool.stats.in_use;
    }
    if (io != nullptr) {
        release(*io);
    }
}

CallPoolStats call_pool_stats() {
    sync::LockGuard g(g_pool.lock);
    CallPoolStats s = g_pool.stats;
    s.frames_in_use = g_pool.frames.in_use();
    s.on_the_spot = g_on_the_spot.load(std::memory_order_relaxed);
    return s;
}

}  // namespace cops::io
