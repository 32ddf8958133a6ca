/// @file net_bench.cpp
/// @brief ch6 benchmarks in guest instructions: a 64-byte echo round trip over the
/// loopback interface and across the two NICs, in the async form (coroutines) and
/// the sync form (threads); a bulk transfer across the NICs per KiB; a connection
/// opened, used and closed.
///
/// The program times itself (rdinstret; user/programs/net_bench.cpp) and prints the
/// bench lines. Everything runs with only hart 0 taking work (sched::Hart0Only), so
/// its count holds both ends, the kernel, lwIP and the network coroutine.
#include "cops/proc/run_program.hpp"
#include "cops/smp/hart.hpp"
#include "cops/test/bench.hpp"

using namespace cops;

BENCH("net/costs") {
    sched::Hart0Only one_hart;
    (void)proc::run_program("net_bench rtt async loop 200");
    (void)proc::run_program("net_bench rtt sync loop 200");
    (void)proc::run_program("net_bench rtt async nics 200");
    (void)proc::run_program("net_bench rtt sync nics 200");
    (void)proc::run_program("net_bench bulk 1048576");
    (void)proc::run_program("net_bench connect 200");
}
