/// @file receivers.cpp
/// @brief The system's receivers, each process's sender handles, and sending.
#include "cops/io/process_io.hpp"
#include "cops/lib/console.hpp"
#include "cops/proc/global_view.hpp"
#include "cops/proc/syscall.hpp"
#include "cops/smp/hart.hpp"
#include "cops/smp/ipi.hpp"
#include "cops/sync/spinlock.hpp"
#include "cops/uintr/emulate.hpp"
#include "cops/uintr/process_uintr.hpp"
#include "cops/uintr/uintc.hpp"

namespace cops::uintr {

namespace u = abi::uintr;
using abi::Errno;
using abi::error_return;
using proc::Process;
using proc::ProcessUintr;

namespace {
/// A receiver: a thread of a process that senders may interrupt.
struct Receiver {
    Process* process = nullptr;                  ///< nullptr: free
    unsigned thread = 0;                         ///< its thread index
    std::uint32_t generation = 0;                ///< moves on each time the entry is freed
    std::uint32_t allowed[u::kMaxAllowed] = {};  ///< pids that may make senders (0: unused)
};

/// Guards the receivers and every process's sender table and receiver_of[].
sync::SpinLock g_lock;
Receiver g_receivers[u::kMaxReceivers];
unsigned g_live = 0;
std::uint64_t g_registered = 0;

/// Native backend: ids are never reused (a stale hardware sender entry then names
/// a dead, reset receiver); the next one to hand out.
unsigned g_next_native_id = 0;

constexpr std::int64_t kBadHandle = error_return(Errno::BadFd);
constexpr std::int64_t kRevoked = error_return(abi::kErrBrokenPipe);

/// Makes sure thread @p index of @p p notices a raised USIP soon (the table lock or
/// the I/O lock keeps @p p alive).
void get_noticed(Process& p, unsigned index) {
    ProcessUintr& s = *p.uintr;
    std::atomic_thread_fence(std::memory_order_seq_cst);  // USIP before the looks below (see entering_user)
    if (s.waiting[index].exchange(0, std::memory_order_acq_rel)) {
        proc::finish_call(*p.threads[index], 0);  // it sleeps in wait(): its wait is over
        return;
    }
    proc::UserThread* t = p.threads[index];
    if (t != nullptr && t->cpu.load(std::memory_order_acquire) == proc::CpuState::Parked) {
        proc::make_runnable(p, p.ceiling);  // parked: it must run to take the interrupt
        return;
    }
    const int hart = s.on_hart[index].load(std::memory_order_seq_cst);
    if (hart >= 0 && static_cast<unsigned>(hart) != smp::this_hart().index) {
        smp::send_ipi(static_cast<unsigned>(hart));  // in user mode there: the IPI brings it to delivery
    }
}

/// ch4's notifier for a process that chose completions by user interrupt.
void notify_by_interrupt(Process& p, sched::Priority level) {
    int receiver = -1;
    unsigned thread = 0;
    unsigned vector = 0;
    {
        sync::LockGuard g(g_lock);
        if (p.uintr != nullptr && p.uintr->completion_receiver >= 0) {
            receiver = p.uintr->completion_receiver;
            thread = g_receivers[receiver].thread;
            vector = p.uintr->completion_vector;
        }
    }
    if (receiver < 0) {
        proc::make_runnable(p, level);  // revoked (ending), or never chosen: the default path
        return;
    }
    post(p, thread, vector);  // the I/O lock of an open process keeps it alive
}
}  // namespace

std::int64_t register_receiver(proc::UserThread& t) {
    Process& p = *t.process;
    sync::LockGuard g(g_lock);
    if (p.uintr->receiver_of[t.index] >= 0) {
        return p.uintr->receiver_of[t.index];
    }
    const bool native = backend() == Backend::Native;
    for (unsigned id = native ? g_next_native_id : 0; id < u::kMaxReceivers; ++id) {
        Receiver& r = g_receivers[id];
        if (r.process == nullptr) {
            if (native) {
                g_next_native_id = id + 1;
                uintc::Controller(controller_base()).reset(id);
            }
            r.process = &p;
            r.thread = t.index;
            for (auto& a : r.allowed) {
                a = 0;
            }
            p.uintr->receiver_of[t.index] = static_cast<int>(id);
            ++g_live;
            ++g_registered;
            return id;
        }
    }
    return error_return(Errno::Again);
}

std::int64_t allow_sender(Process& owner, std::uint64_t id, std::uint64_t pid) {
    sync::LockGuard g(g_lock);
    if (id >= u::kMaxReceivers || g_receivers[id].process == nullptr) {
        return error_return(Errno::NoProcess);
    }
    Receiver& r = g_receivers[id];
    if (r.process != &owner) {
        return error_return(Errno::NotPermitted);
    }
    if (pid == 0 || pid > 0xffff'ffffULL) {
        return error_return(Errno::Invalid);
    }
    for (auto& a : r.allowed) {
        if (a == pid) {
            return 0;
        }
    }
    for (auto& a : r.allowed) {
        if (a == 0) {
            a = static_cast<std::uint32_t>(pid);
            return 0;
        }
    }
    return error_return(Errno::Again);
}

std::int64_t register_sender(Process& p, std::uint64_t id, std::uint64_t vector) {
    if (vector > 63) {
        return error_return(Errno::Invalid);
    }
    sync::LockGuard g(g_lock);
    if (id >= u::kMaxReceivers || g_receivers[id].process == nullptr) {
        return error_return(Errno::NoProcess);
    }
    const Receiver& r = g_receivers[id];
    bool allowed = r.process == &p;
    for (const auto a : r.allowed) {
        allowed = allowed || a == p.pid.value;
    }
    if (!allowed) {
        return error_return(Errno::NotPermitted);
    }
    for (unsigned h = 0; h < u::kMaxSenders; ++h) {
        ProcessUintr::Sender& s = p.uintr->senders[h];
        if (!s.used) {
            s = {true, static_cast<std::uint16_t>(id), r.generation, static_cast<std::uint8_t>(vector)};
            if (p.uintr->hardware_senders != nullptr) {
                p.uintr->hardware_senders[h] =
                    uintc::sender_entry(static_cast<unsigned>(id), static_cast<unsigned>(vector));
            }
            return h;
        }
    }
    return error_return(Errno::Again);
}

std::int64_t send(Process& p, std::uint64_t handle) {
    // LAB(ch5): check the sender's right, then raise the vector
    // The handle must be one register_sender() made (else EBADF), and its receiver
    // must still be the one it was made for: same entry in use, same generation (a
    // receiver that ended is revoked: EPIPE). Post under the table lock, which keeps
    // the receiving process alive while its slot is written.
    sync::LockGuard g(g_lock);
    if (handle >= u::kMaxSenders || !p.uintr->senders[handle].used) {
        return kBadHandle;
    }
    const ProcessUintr::Sender s = p.uintr->senders[handle];
    const Receiver& r = g_receivers[s.receiver];
    if (r.process == nullptr || r.generation != s.generation) {
        return kRevoked;
    }
    post(*r.process, r.thread, s.vector);
    return 0;
    // LAB-STUB: (void)p; (void)handle; (void)kRevoked;
    // LAB-STUB: return kBadHandle;
    // END-LAB
}

void post(Process& p, unsigned index, unsigned vector) {
    raise(p.uintr->slots[index], vector);
    get_noticed(p, index);
}

std::int64_t use_for_completions(proc::UserThread& t, std::int64_t vector) {
    Process& p = *t.process;
    if (p.io == nullptr || vector < -1 || vector > 63) {
        return error_return(Errno::Invalid);
    }
    {
        sync::LockGuard g(g_lock);
        const int id = p.uintr->receiver_of[t.index];
        if (vector >= 0 && id < 0) {
            return error_return(Errno::Invalid);  // register_receiver() first
        }
        p.uintr->completion_receiver = vector >= 0 ? id : -1;
        p.uintr->completion_vector = vector >= 0 ? static_cast<unsigned>(vector) : 0;
    }
    io::set_completion_notifier(*p.io, vector >= 0 ? notify_by_interrupt : nullptr);
    return 0;
}

void revoke(Process& p) {
    sync::LockGuard g(g_lock);
    if (p.uintr == nullptr) {
        return;
    }
    for (unsigned i = 0; i < u::kSlots; ++i) {
        const int id = p.uintr->receiver_of[i];
        if (id >= 0) {
            if (backend() == Backend::Native) {
                uintc::Controller(controller_base()).reset(static_cast<unsigned>(id));
            }
            g_receivers[id].process = nullptr;
            ++g_receivers[id].generation;
            --g_live;
            p.uintr->receiver_of[i] = -1;
        }
        if (p.uintr->waiting[i].exchange(0, std::memory_order_acq_rel)) {
            proc::finish_call(*p.threads[i], error_return(abi::kErrInterrupted));
        }
    }
    p.uintr->completion_receiver = -1;
    for (unsigned h = 0; h < u::kMaxSenders; ++h) {
        p.uintr->senders[h].used = false;
        if (p.uintr->hardware_senders != nullptr) {
            p.uintr->hardware_senders[h] = 0;
        }
    }
}

int receiver_of(const Process& p, unsigned index) {
    sync::LockGuard g(g_lock);
    return p.uintr->receiver_of[index];
}

unsigned live_receivers() {
    sync::LockGuard g(g_lock);
    return g_live;
}

unsigned live_senders(const Process& p) {
    sync::LockGuard g(g_lock);
    unsigned n = 0;
    for (const auto& s : p.uintr->senders) {
        n += s.used ? 1 : 0;
    }
    return n;
}

std::uint64_t receivers_registered() {
    sync::LockGuard g(g_lock);
    return g_registered;
}

}  // namespace cops::uintr
