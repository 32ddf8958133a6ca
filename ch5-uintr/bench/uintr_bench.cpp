/// @file uintr_bench.cpp
/// @brief ch5 benchmarks in guest instructions: one emulated CSR access against the
/// vDSO's; a self-sent interrupt's round trip by the vDSO and by trap-and-emulate;
/// completion-to-resume of a waiting async read through the ch4 ring wake, a
/// user-interrupt completion receiver (vDSO and raw instructions), and as a blocking
/// sync read; and a send to a receiver on another hart until its handler runs.
///
/// The programs time themselves (rdinstret; uintr_bench.cpp) and print the bench
/// lines. All but the cross-hart figure run with only hart 0 taking coroutines
/// (sched::Hart0Only), so rdinstret on hart 0 counts every instruction; the
/// cross-hart figure is virtual time under -icount shift=0, which advances with the
/// instructions of every hart (one shared clock).
#include "cops/proc/run_program.hpp"
#include "cops/smp/hart.hpp"
#include "cops/test/bench.hpp"

using namespace cops;

BENCH("uintr/costs") {
    {
        sched::Hart0Only one_hart;
        (void)proc::run_program("uintr_bench csr 2000");
        (void)proc::run_program("uintr_bench self vdso 2000");
        (void)proc::run_program("uintr_bench self raw 2000");
        (void)proc::run_program("uintr_bench split ring 500");
        (void)proc::run_program("uintr_bench split vdso 500");
        (void)proc::run_program("uintr_bench split raw 500");
        (void)proc::run_program("uintr_bench blocking 500");
    }
    (void)proc::run_program("uintr_bench xhart 500");
}
