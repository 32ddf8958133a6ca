/// @file process.cpp
/// @brief The process table: spawn, threads, kill, exit and reaping.
#include "cops/proc/process.hpp"

#include <new>

#include "cops/abi/syscall_numbers.hpp"
#include "cops/lib/console.hpp"
#include "cops/lib/panic.hpp"
#include "cops/lib/result.hpp"
#include "cops/lib/scope_exit.hpp"
#include "cops/mm/kernel_space.hpp"
#include "cops/proc/loader.hpp"
#include "cops/proc/process_hooks.hpp"
#include "cops/proc/program_table.hpp"
#include "cops/proc/shared_scheduler_pages.hpp"
#include "cops/proc/user_thread.hpp"
#include "cops/sched/kernel_executor.hpp"

namespace cops::proc {

namespace {
sync::SpinLock g_table_lock;           // guards the table, states, families
Process* g_table[kMaxProcesses] = {};  // live and zombie processes
std::uint32_t g_next_pid = 1;

/// The slot of @p pid in the table, or nullptr (call with the table lock).
Process** find_locked(Pid pid) {
    for (Process*& p : g_table) {
        if (p != nullptr && p->pid == pid) {
            return &p;
        }
    }
    return nullptr;
}

/// Takes @p p out of the table (call with the table lock).
void remove_locked(Process& p) {
    if (Process** slot = find_locked(p.pid)) {
        *slot = nullptr;
    }
}

/// Frees a process that is out of the table, with its threads.
void free_process(Process* p) {
    run_freed_hooks(*p);
    for (UserThread*& t : p->threads) {
        delete t;
        t = nullptr;
    }
    delete p;
}

/// Sets up thread @p index of @p p to start at @p entry and starts its coroutine.
Result<UserThread*> start_thread(Process& p, unsigned index, std::uint64_t entry, std::uint64_t sp, std::uint64_t a0,
                                 std::uint64_t a1) {
    auto* t = new (std::nothrow) UserThread;
    if (t == nullptr) {
        return Error::OutOfMemory;
    }
    t->process = &p;
    t->index = index;
    arch::TrapFrame& f = t->context.user;
    f.sepc = entry;
    f.regs[static_cast<unsigned>(arch::Reg::Sp)] = sp;
    f.regs[static_cast<unsigned>(arch::Reg::A0)] = a0;
    f.regs[static_cast<unsigned>(arch::Reg::A1)] = a1;
    {
        sync::LockGuard g(p.lock);
        p.threads[index] = t;
        ++p.live_threads;
    }
    // Create the coroutine, record its cid, then start it: once started it may run on
    // another hart at once, and the switching coroutine wakes it by that cid.
    t->coroutine_level = p.level;
    auto task = run_user_thread(*t);
    auto cid = task.valid() ? sched::kernel_executor().create(std::move(task), t->coroutine_level)
                            : Result<sched::Cid>{Error::OutOfMemory};
    if (!cid) {
        sync::LockGuard g(p.lock);
        p.threads[index] = nullptr;
        --p.live_threads;
        delete t;
        return cid.error();
    }
    t->cid = cid.value();
    if (const Status started = sched::kernel_executor().start(t->cid); !started.ok()) {
        panic("process {}: cannot start the coroutine it just created: {}", p.pid, error_name(started.error()));
    }
    return t;
}
}  // namespace

bool Process::end(std::int64_t exit_status) {
    std::uint32_t expected = 0;
    if (!ending.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
        return false;
    }
    status = exit_status;
    run_ending_hooks(*this);  // later layers end what the threads wait for (ch4: calls in flight)
    // Threads blocked in the kernel (a sleep, a wait) notice at their next wake-up:
    // wake them now. A stray wake is harmless: a semaphore waiter that was not granted
    // blocks again, a sleeper returns early.
    sched::Cid cids[kMaxThreads];
    unsigned n = 0;
    {
        sync::LockGuard g(lock);
        for (UserThread* t : threads) {
            if (t != nullptr && !t->finished) {
                cids[n++] = t->cid;
            }
        }
    }
    for (unsigned i = 0; i < n; ++i) {
        (void)sched::kernel_executor().wake(cids[i]);
    }
    return true;
}

namespace {
/// A process built but not yet in the table, and where its main thread starts.
struct Loaded {
    Process* process;     ///< owns its address space, the program and its arguments
    std::uint64_t entry;  ///< the program's entry point
    StackStart start;     ///< the main thread's stack pointer, argc and argv
};

/// Builds a process for @p program: address space, the shared scheduler's pages, the
/// program, the arguments on its stack, the later layers' per-process state. On any
/// error nothing is left behind.
Result<Loaded> load_process(const Program& program, std::string_view name, std::string_view command_line,
                            sched::Priority priority) {
    auto* p = new (std::nothrow) Process;
    if (p == nullptr) {
        return Error::OutOfMemory;
    }
    lib::ScopeExit undo([p] { delete p; });
    name.copy(p->name, sizeof p->name - 1);
    p->ceiling = priority;
    p->level = priority;
    COPS_TRY(p->space.init(mm::frames(), mm::kernel_page_table()));
    COPS_TRY(map_shared_scheduler(*p));
    const std::uint64_t entry = COPS_TRY(load_elf(p->space, program.elf, name));
    const std::uint64_t top = COPS_TRY(map_thread_stack(p->space, 0));
    const StackStart start = COPS_TRY(push_arguments(p->space, top, command_line));
    COPS_TRY(run_created_hooks(*p));
    undo.release();
    return Loaded{p, entry, start};
}

/// Puts @p p into a free table slot with the next pid, as a child of @p parent (or
/// the kernel's to reap when null).
Status enter_table(Process& p, Process* parent) {
    sync::LockGuard g(g_table_lock);
    Process** free_slot = nullptr;
    for (Process*& slot : g_table) {
        if (slot == nullptr) {
            free_slot = &slot;
            break;
        }
    }
    if (free_slot == nullptr) {
        return Error::OutOfSlots;
    }
    *free_slot = &p;
    p.pid = Pid{g_next_pid++};
    if (parent != nullptr) {
        p.parent = parent;
        p.reaper = Reaper::Parent;
        parent->children.push_back(p);
    }
    p.thread_count = 1;
    return {};
}

/// Undoes enter_table() for a process that never ran.
void leave_table(Process& p, Process* parent) {
    sync::LockGuard g(g_table_lock);
    remove_locked(p);
    if (parent != nullptr) {
        parent->children.remove(p);
    }
}
}  // namespace

Result<Pid> spawn(std::string_view command_line, Process* parent, sched::Priority priority) {
    std::string_view rest = command_line;
    const std::string_view name = next_word(rest);
    if (name.empty() || command_line.size() >= kMaxCommandLine || !priority.valid()) {
        return Error::Malformed;
    }
    const std::optional<Program> program = find_program(name);
    if (!program) {
        return Error::NotFound;
    }
    const Loaded loaded = COPS_TRY(load_process(*program, name, command_line, priority));
    Process* p = loaded.process;
    if (const Status entered = enter_table(*p, parent); !entered) {
        free_process(p);
        return entered.error();
    }
    const Pid pid = p->pid;  // once the thread starts, p may end and be freed at any time
    const StackStart& s = loaded.start;
    if (const auto t = start_thread(*p, 0, loaded.entry, s.sp, s.argc, s.argv); !t) {
        leave_table(*p, parent);
        free_process(p);
        return t.error();
    }
    return pid;
}

Result<UserThread*> create_thread(Process& p, std::uint64_t entry, std::uint64_t arg0, std::uint64_t arg1) {
    unsigned index;
    {
        sync::LockGuard g(p.lock);
        if (p.thread_count == kMaxThreads) {
            return Error::OutOfSlots;
        }
        index = p.thread_count++;
    }
    const auto top = map_thread_stack(p.space, index);
    if (!top) {
        return top.error();
    }
    return start_thread(p, index, entry, top.value(), arg0, arg1);
}

void thread_finished(UserThread& t) {
    Process& p = *t.process;
    // LAB(ch3): a thread finishes; the last one ends the process
    // 1. Release t.done (a joiner may wait), then count the thread out under p.lock.
    //    Not the last? Done: touch nothing of p after that, another hart may free it.
    // 2. The last thread: free the memory now (p.space.destroy()), then, under the
    //    table lock, make p a zombie; its children lose their parent (a zombie child is
    //    freed, a live one gets Reaper::Nobody); tell the reaper: a parent's
    //    child_ended semaphore, nothing for the kernel, or free p at once for Nobody.
    //    Free processes after dropping the lock.
    t.done.release();
    bool last;
    {
        sync::LockGuard g(p.lock);
        t.finished = true;
        last = --p.live_threads == 0;
    }
    if (!last) {
        return;
    }
    p.space.destroy();
    Process* to_free[kMaxProcesses + 1];
    unsigned n = 0;
    {
        sync::LockGuard g(g_table_lock);
        p.state = ProcessState::Zombie;
        while (Process* c = p.children.pop_front()) {
            c->parent = nullptr;
            if (c->state == ProcessState::Zombie) {
                remove_locked(*c);
                to_free[n++] = c;
            } else {
                c->reaper = Reaper::Nobody;
            }
        }
        switch (p.reaper) {
            case Reaper::Parent: p.parent->child_ended.release(); break;
            case Reaper::Nobody:
                remove_locked(p);
                to_free[n++] = &p;
                break;
            case Reaper::Kernel: break;
        }
    }
    for (unsigned i = 0; i < n; ++i) {
        free_process(to_free[i]);
    }
    // LAB-STUB: (void)p; (void)free_process; (void)remove_locked;
    // END-LAB
}

Result<std::int64_t> try_reap_child(Process& parent, Pid which, Pid* reaped) {
    Process* zombie = nullptr;
    {
        sync::LockGuard g(g_table_lock);
        // LAB(ch3): wait() finds an ended child
        // Look through parent.children for one that matches `which` (0 matches any).
        // A zombie among them is taken out of the children list and the table and
        // freed after the lock; its pid goes to *reaped and its status is the result.
        // Matching children that still run: Error::Busy. None at all: NotFound.
        bool matched = false;
        parent.children.for_each([&](Process& c) {
            if (which && c.pid != which) {
                return;
            }
            matched = true;
            if (zombie == nullptr && c.state == ProcessState::Zombie) {
                zombie = &c;
            }
        });
        if (zombie == nullptr) {
            return matched ? Error::Busy : Error::NotFound;
        }
        parent.children.remove(*zombie);
        remove_locked(*zombie);
        // LAB-STUB: (void)parent; (void)which;
        // LAB-STUB: return Error::NotFound;
        // END-LAB
    }
    const std::int64_t status = zombie->status;
    if (reaped != nullptr) {
        *reaped = zombie->pid;
    }
    free_process(zombie);
    return status;
}

Result<std::int64_t> reap(Pid pid) {
    Process* p;
    {
        sync::LockGuard g(g_table_lock);
        Process** slot = find_locked(pid);
        if (slot == nullptr || (*slot)->reaper != Reaper::Kernel) {
            return Error::NotFound;
        }
        p = *slot;
        if (p->state != ProcessState::Zombie) {
            return Error::Busy;
        }
        *slot = nullptr;
    }
    const std::int64_t status = p->status;
    free_process(p);
    return status;
}

namespace {
/// Ends @p root and its descendants (call with the table lock held).
void kill_tree_locked(Process& root) {
    Process* todo[kMaxProcesses];
    unsigned n = 0;
    todo[n++] = &root;
    while (n > 0) {
        Process& p = *todo[--n];
        if (p.state != ProcessState::Zombie) {
            (void)p.end(abi::kStatusKilled);
        }
        p.children.for_each([&](Process& c) {
            if (n < kMaxProcesses) {  // every process is in one family tree once
                todo[n++] = &c;
            }
        });
    }
}

/// True if @p p is @p ancestor or descends from it (call with the table lock held).
bool descends_from_locked(const Process* p, const Process& ancestor) {
    for (; p != nullptr; p = p->parent) {
        if (p == &ancestor) {
            return true;
        }
    }
    return false;
}
}  // namespace

Status kill(Pid pid) {
    sync::LockGuard g(g_table_lock);
    Process** slot = find_locked(pid);
    if (slot == nullptr || (*slot)->state == ProcessState::Zombie) {
        return Error::NotFound;
    }
    kill_tree_locked(**slot);
    return {};
}

Status kill_as(const Process& caller, Pid pid) {
    sync::LockGuard g(g_table_lock);
    Process** slot = find_locked(pid);
    if (slot == nullptr || (*slot)->state == ProcessState::Zombie) {
        return Error::NotFound;
    }
    if (!descends_from_locked(*slot, caller)) {
        return Error::BadState;
    }
    kill_tree_locked(**slot);
    return {};
}

bool has_ended(Pid pid) {
    sync::LockGuard g(g_table_lock);
    Process** slot = find_locked(pid);
    return slot != nullptr && (*slot)->state == ProcessState::Zombie;
}

unsigned process_count() {
    sync::LockGuard g(g_table_lock);
    unsigned n = 0;
    for (Process* p : g_table) {
        n += p != nullptr ? 1 : 0;
    }
    return n;
}

}  // namespace cops::proc
