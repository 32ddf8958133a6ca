/// @file process.hpp
/// @brief Processes and their user threads.
///
/// A process is an address space, a program, its threads and its place in the
/// family (parent, children). Each user thread has a user stack in the process's
/// address space and a kernel side: a coroutine (user_thread.cpp) that enters user
/// mode, handles the thread's traps and blocks when a system call must wait. The
/// coroutine's frame is the thread's kernel state between traps; a hart lends it a
/// stack only while it runs.
///
/// Life of a process: spawn() loads the program and starts its main thread; the
/// process ends when exit() is called, kill() hits it or a thread faults, and then
/// each thread finishes at its next trap. When the last one has finished, the
/// process is a zombie: its memory is freed, and its status waits for its parent's
/// wait() (or for reap(), when the kernel started it).
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include "cops/lib/intrusive_list.hpp"
#include "cops/lib/result.hpp"
#include "cops/lib/strong_id.hpp"
#include "cops/mm/address_space.hpp"
#include "cops/proc/user_context.hpp"
#include "cops/sched/ccb.hpp"
#include "cops/sched/priority.hpp"
#include "cops/sync/semaphore.hpp"
#include "cops/sync/spinlock.hpp"

namespace cops::proc {

/// Tag of process ids.
struct PidTag {};
/// A process id; 0 is no process.
using Pid = lib::StrongId<PidTag, std::uint32_t>;

/// Most threads one process may create over its life.
inline constexpr unsigned kMaxThreads = 32;
/// Most processes alive (including zombies) at once.
inline constexpr unsigned kMaxProcesses = 256;
/// Bytes of a command line ("name arg1 arg2"), with its NUL.
inline constexpr std::size_t kMaxCommandLine = 256;
/// Most words on a command line.
inline constexpr unsigned kMaxArgs = 16;
/// Priority of processes the kernel starts (user threads' coroutines run at it).
inline constexpr sched::Priority kDefaultUserPriority{32};

class Process;
/// A later layer's per-process I/O state (ch4: file descriptors, the completion ring,
/// calls in flight); declared here so a process can point to it, defined by ch4.
struct ProcessIo;
/// A later layer's per-process user-interrupt state (ch5), defined there.
struct ProcessUintr;

/// Tag of the hook that queues a user thread while it waits for a CPU (global_view.hpp).
struct CpuQueueTag {};
/// Tag of the hook that queues a process in the global view's level queues.
struct LevelQueueTag {};

/// Where a user thread stands towards the CPU (the shared scheduler, global_view.hpp).
enum class CpuState : std::uint32_t {
    Dispatched,  ///< the switching coroutine gave it a CPU (or it is starting): it may run
    Waiting,     ///< queued in its process's waiting list for the switching coroutine
    Parked,      ///< its executor had nothing ready; it waits for ready work
};

/// One user thread.
struct UserThread : lib::ListHook<CpuQueueTag> {
    UserContext context;                           ///< its registers while it is not in user mode
    Process* process = nullptr;                    ///< the process it belongs to
    unsigned index = 0;                            ///< 0 for the main thread; its tid is index + 1
    sched::Cid cid{};                              ///< the kernel coroutine that runs it
    bool finished = false;                         ///< it has ended (guarded by the process lock)
    std::int64_t exit_value = 0;                   ///< what thread_exit() gave (main thread: unused)
    bool joined = false;                           ///< a thread_join() has claimed it
    bool leaving = false;                          ///< thread_exit() was called: finish at the next check
    sync::Semaphore done{0};                       ///< released once when it finishes (thread_join waits)
    std::uint64_t user_traps = 0;                  ///< traps from user mode (system calls, interrupts, faults)
    std::atomic<CpuState> cpu{CpuState::Waiting};  ///< set under the global view's lock
    sched::Priority coroutine_level{};  ///< its kernel coroutine's priority (changed only by its own trap loop)
    /// A system call that finishes elsewhere (SyscallContext::wait_for_call): set when
    /// it has finished; its result is in call_result.
    std::atomic<bool> call_done{false};
    std::int64_t call_result = 0;  ///< the result of that call (valid once call_done)
};

/// How a process stands.
enum class ProcessState : std::uint8_t {
    Running,  ///< has live threads
    Zombie,   ///< all threads finished; holds its status until reaped
};

/// Who reaps a process when it ends.
enum class Reaper : std::uint8_t {
    Kernel,  ///< the kernel started it; reap() collects it
    Parent,  ///< its parent process collects it with wait()
    Nobody,  ///< its parent has gone; it is freed as soon as it ends
};

/// Tag of the children list hook.
struct ChildrenTag {};

/// What the last fold of a process saw and gave, so that a trap whose summary has not
/// changed skips the fold (global_view.cpp). A sequence lock: written under the view's
/// lock, read without it; an odd sequence means "being written, or nothing cached".
struct FoldCache {
    std::atomic<std::uint32_t> sequence{1};    ///< even: the fields below are a valid entry
    std::atomic<std::uint64_t> ready_bits{0};  ///< the summary's ready bitmap
    std::atomic<std::uint64_t> running{0};     ///< the summary's running levels, one byte per slot
    std::atomic<std::uint8_t> ceiling{0};      ///< the ceiling the level was clamped by
    std::atomic<std::uint8_t> level{0};        ///< the level that fold gave
};

/// One process.
class Process : public lib::ListHook<ChildrenTag>, public lib::ListHook<LevelQueueTag> {
public:
    Pid pid{};               ///< its id
    char name[32] = {};      ///< the program's name
    mm::AddressSpace space;  ///< its memory
    /// The most urgent level it may be scheduled at, whatever its executor says; set at
    /// spawn (a child inherits its parent's), lowered by lower_ceiling(), never raised.
    sched::Priority ceiling = kDefaultUserPriority;
    Process* parent = nullptr;                          ///< the parent (Reaper::Parent only)
    Reaper reaper = Reaper::Kernel;                     ///< who collects its status
    lib::IntrusiveList<Process, ChildrenTag> children;  ///< its children (under the table lock)
    sync::Semaphore child_ended{0};                     ///< released when a child becomes a zombie

    std::atomic<std::uint32_t> ending{0};        ///< 1 after exit, kill or a fault: threads stop at their next trap
    std::int64_t status = 0;                     ///< the exit status (valid once ending)
    ProcessState state = ProcessState::Running;  ///< under the table lock
    sync::SpinLock lock;                         ///< guards the fields below
    UserThread* threads[kMaxThreads] = {};       ///< by index; stay until the process is freed
    unsigned thread_count = 0;                   ///< threads created (indices used)
    unsigned live_threads = 0;                   ///< threads not finished

    // The shared scheduler's view of it (global_view.cpp; under the view's lock).
    sched::Priority level = kDefaultUserPriority;         ///< its level at the last fold
    bool queued = false;                                  ///< in a level queue of the view
    lib::IntrusiveList<UserThread, CpuQueueTag> waiting;  ///< threads waiting for a CPU
    lib::IntrusiveList<UserThread, CpuQueueTag> parked;   ///< threads waiting for ready work
    const std::uint8_t* executor_page = nullptr;          ///< its executor page, kernel address
    FoldCache fold_cache;                                 ///< the last fold, to skip an unchanged one

    ProcessIo* io = nullptr;        ///< ch4's I/O state (process_hooks.hpp sets it up and frees it)
    ProcessUintr* uintr = nullptr;  ///< ch5's user-interrupt state (set up and freed the same way)

    /// Ends the process with @p status unless it is already ending (false then), and
    /// wakes its blocked threads so that they see it. Threads finish at their next
    /// trap or wake-up; one blocked on console input finishes when input arrives.
    bool end(std::int64_t status);
};

/// Starts @p command_line ("program arg1 arg2 ...") as a new process whose parent is
/// @p parent (nullptr: the kernel, which collects it with reap()). Errors:
/// Error::NotFound (no such program), Error::Malformed (not a valid ELF, or a bad
/// command line), Error::OutOfMemory, Error::OutOfSlots (too many processes).
Result<Pid> spawn(std::string_view command_line, Process* parent = nullptr,
                  sched::Priority priority = kDefaultUserPriority);
/// Ends process @p pid, and every process descended from it, with kStatusKilled (a
/// killed parent takes its children with it, so nothing it started runs on unowned).
/// Error::NotFound if there is none (or it is a zombie already).
Status kill(Pid pid);
/// kill() on behalf of process @p caller, which may end only itself or one of its
/// descendants: Error::BadState for any other process (EPERM), Error::NotFound as kill().
Status kill_as(const Process& caller, Pid pid);
/// True if @p pid is a zombie (its status is ready).
bool has_ended(Pid pid);
/// Collects a kernel-started zombie: its status, and the process is freed.
/// Error::NotFound for an unknown pid or one that a process reaps; Error::Busy while
/// it still runs.
Result<std::int64_t> reap(Pid pid);
/// The exit status of the first zombie child of @p parent that matches @p which
/// (0: any), reaping it; Error::Busy if matching children live but none has ended,
/// Error::NotFound if no child matches.
Result<std::int64_t> try_reap_child(Process& parent, Pid which, Pid* reaped);
/// Processes alive or zombie.
unsigned process_count();

/// Creates a user thread in @p process that starts at @p entry with a0 = @p arg0,
/// a1 = @p arg1, on a fresh stack, and starts its coroutine. Error::OutOfSlots past
/// kMaxThreads, Error::OutOfMemory.
Result<UserThread*> create_thread(Process& process, std::uint64_t entry, std::uint64_t arg0, std::uint64_t arg1);
/// Called by a thread's coroutine as its last act: records that it finished, and when
/// it is the process's last, turns the process into a zombie and tells the reaper.
void thread_finished(UserThread& thread);

}  // namespace cops::proc
