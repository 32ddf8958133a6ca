/// @file syscalls_io.cpp
/// @brief Chapter 4's system calls: read, write and sleep in both forms (one entry
/// each), and pipe, close, dup, take_held, io_info.
#include "cops/abi/io_abi.hpp"
#include "cops/dev/virtio_blk.hpp"
#include "cops/init/initcall.hpp"
#include "cops/io/call.hpp"
#include "cops/io/pipe.hpp"
#include "cops/io/process_io.hpp"
#include "cops/mm/address_space.hpp"
#include "cops/proc/syscall.hpp"

namespace cops::proc {

namespace {
using abi::Errno;

/// The level an async call names (a4), as the kernel will use it: never above the
/// process's ceiling, never past the last level.
sched::Priority clamp_level(const Process& p, std::uint64_t asked) {
    if (asked >= sched::kPriorityLevels) {
        return sched::Priority{sched::kPriorityLevels - 1};
    }
    const sched::Priority level{static_cast<std::uint8_t>(asked)};
    return level.more_urgent_than(p.ceiling) ? p.ceiling : level;
}

}  // namespace

std::int64_t io_entry(SyscallContext& c, io::CallKind kind, std::uint32_t op) {
    ProcessIo& pio = *c.thread.process->io;
    const std::uint64_t cid = c.args[abi::kAsyncCidArg];
    io::Call call;
    call.op = op;
    // LAB(ch4): one entry, two forms
    // 1. prepare(): check the fd and the whole buffer; an error returns at once, the
    //    same for both forms.
    // 2. attempt() once (if it woke waiting calls, set c.kernel_work_first). Done
    //    (anything but kWouldBlock)? That is the fast path: finish_on_the_spot() and
    //    return the result; no kernel coroutine, no suspension.
    // 3. Must wait: a5 == 0 is a sync call (its thread waits: set call.thread and
    //    c.wait_for_call); otherwise record the caller's cid and clamped level (a4).
    //    start() the call (a negative result is the error to return); an async call
    //    sets c.kernel_work_first (its kernel coroutine should reach its wait first)
    //    and returns abi::kInProgress.
    if (const std::int64_t bad = io::prepare(pio, kind, c.args, call); bad != 0) {
        return bad;
    }
    const std::int64_t r = io::attempt(call);
    c.kernel_work_first = call.woke > 0;  // a waiting call can finish now, on this hart
    if (r != io::kWouldBlock) {
        io::finish_on_the_spot(call);
        return r;
    }
    const bool sync = cid == 0;
    if (sync) {
        call.thread = &c.thread;
        call.level = c.thread.process->level;
    } else {
        call.user_cid = cid;
        call.level = clamp_level(*c.thread.process, c.args[abi::kAsyncLevelArg]);
    }
    if (const std::int64_t refused = io::start(call); refused != 0) {
        return refused;
    }
    c.wait_for_call = sync;
    // Let the new kernel coroutine reach its wait before the thread goes back to user
    // mode: a sibling's write that follows then finds it waiting and finishes it at once.
    c.kernel_work_first = c.kernel_work_first || !sync;
    return sync ? 0 : abi::kInProgress;
    // LAB-STUB: (void)pio; (void)cid; (void)call; (void)kind; (void)clamp_level;
    // LAB-STUB: return abi::error_return(Errno::NoSys);
    // END-LAB
}

namespace {
WaitModelEntry g_wait_model_entry = nullptr;
}  // namespace

void set_wait_model_entry(WaitModelEntry entry) { g_wait_model_entry = entry; }

std::int64_t io_call(SyscallContext& c, io::CallKind kind, std::uint32_t op) {
    if (g_wait_model_entry != nullptr && c.thread.process->io->wait_model.load(std::memory_order_relaxed) != 0) {
        return g_wait_model_entry(c, kind, op);
    }
    return io_entry(c, kind, op);
}

namespace {
std::int64_t sys_read(SyscallContext& c) { return io_call(c, io::CallKind::Read); }
std::int64_t sys_write(SyscallContext& c) { return io_call(c, io::CallKind::Write); }
std::int64_t sys_sleep(SyscallContext& c) { return io_call(c, io::CallKind::Sleep); }
std::int64_t sys_fsync(SyscallContext& c) { return io_call(c, io::CallKind::Flush); }

std::int64_t sys_open_disk(SyscallContext& c) {
    if (dev::disk() == nullptr) {
        return abi::error_return(abi::kErrNoDevice);
    }
    io::File* f = nullptr;
    if (!io::open_disk_file(&f)) {
        return abi::error_return(Errno::NoMemory);
    }
    return io::install_file(*c.thread.process->io, *f);
}

std::int64_t sys_seek(SyscallContext& c) {
    io::File* f = io::take_file(*c.thread.process->io, c.args[0]);
    if (f == nullptr) {
        return abi::error_return(Errno::BadFd);
    }
    const std::uint64_t to = c.args[1];
    std::int64_t result = abi::error_return(Errno::Invalid);
    if (f->kind == io::FileKind::Disk && to % dev::kSectorBytes == 0 &&
        to / dev::kSectorBytes <= dev::disk()->sectors()) {
        f->position.store(to, std::memory_order_relaxed);
        result = static_cast<std::int64_t>(to);
    }
    io::release(*f);
    return result;
}

std::int64_t sys_pipe(SyscallContext& c) {
    ProcessIo& pio = *c.thread.process->io;
    const std::uint64_t out = c.args[0];
    if (!mm::user_range_allowed(c.thread.process->space, out, 2 * sizeof(int), mm::PteFlag::Write)) {
        return abi::error_return(Errno::Fault);
    }
    io::File* reader = nullptr;
    io::File* writer = nullptr;
    if (!io::open_pipe(&reader, &writer)) {
        return abi::error_return(Errno::NoMemory);
    }
    const std::int64_t r = io::install_file(pio, *reader);
    if (r < 0) {
        io::release(*writer);
        return r;
    }
    const std::int64_t w = io::install_file(pio, *writer);
    if (w < 0) {
        (void)io::close_fd(pio, static_cast<std::uint64_t>(r));
        return w;
    }
    const int fds[2] = {static_cast<int>(r), static_cast<int>(w)};
    if (!mm::copy_out(c.thread.process->space, out, fds, sizeof fds)) {
        (void)io::close_fd(pio, static_cast<std::uint64_t>(r));
        (void)io::close_fd(pio, static_cast<std::uint64_t>(w));
        return abi::error_return(Errno::Fault);
    }
    return 0;
}

std::int64_t sys_close(SyscallContext& c) { return io::close_fd(*c.thread.process->io, c.args[0]); }

std::int64_t sys_dup(SyscallContext& c) {
    ProcessIo& pio = *c.thread.process->io;
    io::File* f = io::take_file(pio, c.args[0]);
    if (f == nullptr) {
        return abi::error_return(Errno::BadFd);
    }
    return io::install_file(pio, *f);
}

std::int64_t sys_take_held(SyscallContext& c) { return io::take_held(*c.thread.process->io); }

std::int64_t sys_io_info(SyscallContext& c) {
    ProcessIo& pio = *c.thread.process->io;
    sync::LockGuard g(pio.lock);
    switch (c.args[0]) {
        case 0: return static_cast<std::int64_t>(pio.in_flight.size());
        case 1: return static_cast<std::int64_t>(pio.held.size());
        case 2: {
            std::int64_t open = 0;
            for (const io::File* f : pio.fds) {
                open += f != nullptr ? 1 : 0;
            }
            return open;
        }
        case 3: return dev::disk() != nullptr ? static_cast<std::int64_t>(dev::disk()->sectors()) : 0;
        default: return abi::error_return(Errno::Invalid);
    }
}

void register_async_calls() {
    // read, write and sleep keep ch3's numbers; their entries now serve both forms.
    register_syscall(abi::Sys::Read, {"read", sys_read, nullptr});
    register_syscall(abi::Sys::Write, {"write", sys_write, nullptr});
    register_syscall(abi::Sys::Sleep, {"sleep", sys_sleep, nullptr});
    register_syscall(abi::kSysPipe, {"pipe", sys_pipe, nullptr});
    register_syscall(abi::kSysClose, {"close", sys_close, nullptr});
    register_syscall(abi::kSysDup, {"dup", sys_dup, nullptr});
    register_syscall(abi::kSysTakeHeld, {"take_held", sys_take_held, nullptr});
    register_syscall(abi::kSysIoInfo, {"io_info", sys_io_info, nullptr});
    register_syscall(abi::kSysOpenDisk, {"open_disk", sys_open_disk, nullptr});
    register_syscall(abi::kSysSeek, {"seek", sys_seek, nullptr});
    register_syscall(abi::kSysFsync, {"fsync", sys_fsync, nullptr});
}
COPS_INITCALL(late, register_async_calls);
}  // namespace

}  // namespace cops::proc
