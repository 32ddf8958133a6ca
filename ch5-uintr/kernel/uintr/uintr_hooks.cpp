/// @file uintr_hooks.cpp
/// @brief Where chapter 5 joins chapters 3 and 4: the backend chosen at boot, each
/// process's two pages, delivery on the return to user mode, and the emulation of
/// the user-interrupt instructions when they trap.
#include <new>

#include "cops/arch/trap.hpp"
#include "cops/boot/boot_info.hpp"
#include "cops/init/initcall.hpp"
#include "cops/io/process_io.hpp"
#include "cops/lib/console.hpp"
#include "cops/mm/address_space.hpp"
#include "cops/mm/frame_allocator.hpp"
#include "cops/proc/global_view.hpp"
#include "cops/proc/process_hooks.hpp"
#include "cops/proc/user_trap_hooks.hpp"
#include "cops/smp/hart.hpp"
#include "cops/uintr/emulate.hpp"
#include "cops/uintr/process_uintr.hpp"
#include "cops/uintr/uintc.hpp"

extern "C" char uintr_vdso_emulated[];  // vdso_page.S
extern "C" char uintr_vdso_native[];

namespace cops::uintr {

namespace u = abi::uintr;
using proc::Process;
using proc::ProcessUintr;
using proc::UserThread;

namespace {
Backend g_backend = Backend::Emulated;
volatile std::uint64_t* g_controller = nullptr;
std::atomic<unsigned> g_live_state{0};

/// True if the base ISA letters of @p isa ("rv64imafdcn_zicsr...") include the N extension.
bool isa_has_n(std::string_view isa) {
    if (isa.size() < 5 || isa.substr(0, 2) != "rv") {
        return false;
    }
    for (std::size_t i = 4; i < isa.size() && isa[i] != '_'; ++i) {
        if (isa[i] == 'n') {
            return true;
        }
    }
    return false;
}

/// Chooses the backend from the device tree: native only with both the N extension
/// on the CPUs and a user-interrupt controller node.
void choose_backend() {
    const lib::FdtReader& fdt = boot::fdt();
    std::string_view isa;
    if (auto cpu = fdt.find_device_type("cpu")) {
        isa = fdt.property_string(cpu.value(), "riscv,isa").value_or("");
    }
    const auto node = fdt.find_compatible("cops,uintc");
    const bool controller = static_cast<bool>(node);
    if (controller && isa_has_n(isa)) {
        if (const auto reg = fdt.reg(node.value())) {
            // The low 4 GiB are identity-mapped for devices (kernel_space.cpp).
            g_controller = reinterpret_cast<volatile std::uint64_t*>(static_cast<std::uintptr_t>(reg.value().address));
            g_backend = Backend::Native;
        }
    }
    console::println("uintr: {} (riscv,isa {}; {})",
                     g_backend == Backend::Native ? "native N extension and UINTC" : "emulated by the kernel",
                     isa.empty() ? std::string_view{"?"} : isa, controller ? "a UINTC node" : "no UINTC node");
}

Status on_created(Process& p) {
    auto* s = new (std::nothrow) ProcessUintr;
    if (s == nullptr) {
        return Error::OutOfMemory;
    }
    using mm::PteFlag;
    const char* page = g_backend == Backend::Native ? uintr_vdso_native : uintr_vdso_emulated;
    Status st = p.space.map_shared(u::kVdsoAddress, mm::physical_of(page), 4096, PteFlag::Read | PteFlag::Execute);
    if (st) {
        st = p.space.map_zeroed(u::kStateAddress, 4096, PteFlag::Read | PteFlag::Write);
    }
    if (st && g_backend == Backend::Native) {
        const auto frame = mm::frames().allocate_frame();
        st = frame ? Status{} : Status{frame.error()};
        if (st) {
            s->hardware_senders = static_cast<std::uint64_t*>(frame.value());
            for (unsigned h = 0; h < 512; ++h) {
                s->hardware_senders[h] = 0;  // no valid entry
            }
        }
    }
    if (!st) {
        delete s;
        return st;
    }
    s->process = &p;
    s->slots = mm::pointer_to<u::Slot>(p.space.translate(u::kStateAddress)->physical);
    for (unsigned i = 0; i < u::kSlots; ++i) {
        s->on_hart[i].store(-1, std::memory_order_relaxed);
        s->waiting[i].store(0, std::memory_order_relaxed);
        s->receiver_of[i] = -1;
    }
    p.uintr = s;
    g_live_state.fetch_add(1, std::memory_order_relaxed);
    return {};
}

void on_ending(Process& p) { revoke(p); }

void on_freed(Process& p) {
    if (p.uintr != nullptr) {
        if (p.uintr->hardware_senders != nullptr) {
            mm::frames().free_frame(p.uintr->hardware_senders);
        }
        delete p.uintr;
        p.uintr = nullptr;
        g_live_state.fetch_sub(1, std::memory_order_relaxed);
    }
}

/// Native backend, just before `sret`: point this hart at the thread's sender table
/// and receiver, and mark the receiver as running here (the controller then raises
/// USIP on this hart). Never runs on QEMU.
void enter_native(UserThread& t, ProcessUintr& s) {
    const std::uint64_t table = reinterpret_cast<std::uintptr_t>(s.hardware_senders);
    asm volatile("csrw 0x1b0, %0" ::"r"(uintc::suist_value(table >> 12, 1)));
    const int rid = receiver_of(*t.process, t.index);
    asm volatile("csrw 0x1b1, %0" ::"r"(uintc::suirs_value(rid >= 0 ? static_cast<unsigned>(rid) : 0, rid >= 0)));
    if (rid >= 0) {
        uintc::Controller(g_controller).bind(static_cast<unsigned>(rid), smp::this_hart().hart_id, true);
    }
}

/// Just before `sret` (interrupts off): say where the thread runs, then deliver.
void entering_user(UserThread& t, arch::TrapFrame& f) {
    ProcessUintr* s = t.process->uintr;
    if (s == nullptr) {
        return;
    }
    if (g_backend == Backend::Native) {
        enter_native(t, *s);  // the hardware delivers
        return;
    }
    // Published before the look at USIP; a sender raises USIP before it looks here
    // (receivers.cpp): one of the two sees the other, so no send waits for a tick.
    s->on_hart[t.index].store(static_cast<int>(smp::this_hart().index), std::memory_order_seq_cst);
    if (deliver(s->slots[t.index], f.sepc)) {
        s->delivered.fetch_add(1, std::memory_order_relaxed);
        s->slots[t.index].delivered.fetch_add(1, std::memory_order_relaxed);
    }
}

void left_user(UserThread& t) {
    if (ProcessUintr* s = t.process->uintr) {
        s->on_hart[t.index].store(-1, std::memory_order_relaxed);
        if (g_backend == Backend::Native) {
            if (const int rid = receiver_of(*t.process, t.index); rid >= 0) {
                uintc::Controller(g_controller).bind(static_cast<unsigned>(rid), smp::this_hart().hart_id, false);
            }
        }
    }
}

/// The emulated backend's two `ecall`s at known vDSO addresses, and the instructions
/// QEMU does not have. Anything else is not ours.
bool exception(UserThread& t, arch::TrapFrame& f) {
    ProcessUintr* s = t.process->uintr;
    if (s == nullptr || g_backend == Backend::Native) {
        return false;
    }
    u::Slot& slot = s->slots[t.index];
    if (f.scause == static_cast<unsigned>(arch::Exception::UserEcall)) {
        if (f.sepc == u::vdso(u::VdsoEntry::Uret)) {
            uret(slot, f.sepc);
            return true;
        }
        if (f.sepc == u::vdso(u::VdsoEntry::Sync)) {
            f.sepc += 4;  // delivery happens on the way back
            return true;
        }
        return false;
    }
    if (f.scause != static_cast<unsigned>(arch::Exception::IllegalInstruction)) {
        return false;
    }
    auto insn = static_cast<std::uint32_t>(f.stval);
    if (insn == 0 && !mm::copy_in(t.process->space, &insn, f.sepc, sizeof insn)) {
        return false;  // no stval and no readable instruction: a fault as before
    }
    const Emulation e = emulate(insn, slot, f.regs, f.sepc);
    if (e.kind == Emulated::NotOurs) {
        return false;
    }
    s->emulated.fetch_add(1, std::memory_order_relaxed);
    if (e.kind == Emulated::Send) {
        (void)send(*t.process, e.handle);  // like the UINTC: a send on a bad or revoked entry does nothing
    }
    return true;
}

/// park()'s question, for a process whose completions come by user interrupt: the
/// ring's entries are its receiver's to take, so they do not keep the other threads
/// from parking (they would spin beside it); anything else asks ch4.
bool has_pending_work(const Process& p) {
    if (p.uintr != nullptr && p.uintr->completion_receiver.load(std::memory_order_acquire) >= 0 &&
        p.ending.load(std::memory_order_acquire) == 0) {
        return false;
    }
    return io::has_untaken_completions(p);
}

void install() {
    choose_backend();
    proc::set_pending_work_check(has_pending_work);  // after ch4's (link order in `late`)
    proc::add_process_hooks({"ch5 user interrupts", on_created, on_ending, on_freed});
    proc::set_user_trap_hooks({"ch5 user interrupts", entering_user, left_user, exception});
}
COPS_INITCALL(late, install);
}  // namespace

Backend backend() { return g_backend; }

volatile std::uint64_t* controller_base() { return g_controller; }

unsigned live_process_state() { return g_live_state.load(std::memory_order_relaxed); }

}  // namespace cops::uintr
