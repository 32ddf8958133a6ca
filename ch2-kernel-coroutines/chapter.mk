# Chapter 2 — kernel coroutines: traps, the tick, PLIC and UART, SMP, awaitables, preemption.
PARENT := ch1-executor

LAYER_KERNEL := \
    kernel/smp/boot.cpp \
    kernel/smp/hart.cpp \
    kernel/smp/ipi.cpp \
    kernel/arch/trap_entry.S \
    kernel/arch/trap.cpp \
    kernel/sched/switch_context.S \
    kernel/sched/kernel_executor.cpp \
    kernel/sched/thread_pool.cpp \
    kernel/sched/running_suspended.cpp \
    kernel/sched/preempt.cpp \
    kernel/sched/scheduler_loop.cpp \
    kernel/sched/run_until.cpp \
    kernel/sched/ps.cpp \
    kernel/dev/timer.cpp \
    kernel/dev/plic.cpp \
    kernel/dev/uart.cpp \
    kernel/time/sleep.cpp

# Also compiled for the host unit tests.
LAYER_PORTABLE := \
    kernel/dev/placement.cpp \
    kernel/sched/preemption_decision.cpp \
    kernel/sync/semaphore.cpp \
    kernel/sync/mutex.cpp

LAYER_KTESTS := $(patsubst $(ROOT)/ch2-kernel-coroutines/%,%,$(wildcard $(ROOT)/ch2-kernel-coroutines/tests/kernel/*.cpp))
LAYER_BENCH := $(patsubst $(ROOT)/ch2-kernel-coroutines/%,%,$(wildcard $(ROOT)/ch2-kernel-coroutines/bench/*.cpp))
LAYER_UNIT := $(patsubst $(ROOT)/ch2-kernel-coroutines/%,%,$(wildcard $(ROOT)/ch2-kernel-coroutines/tests/unit/*.cpp))
LAYER_DEMO := kernel/demo/priorities_and_preemption.cpp

# The test kernel boots with four harts (the harness reads this line).
TEST_SMP := 4
# Run on real parallel harts by `make stress` (harness/stress.py): the races of locks,
# semaphores and wakes that -icount's turns almost never show.
STRESS_TESTS := smp/stress-100k-wake-block-cycles-no-lost-wakeup smp/a-wake-during-suspend-is-never-lost \
    sync/mutex-excludes-across-harts sync/semaphore-released-by-an-interrupt-handler \
    sync/channel-delivers-in-order-and-blocks-when-full

# What a student may change for this chapter.
STUDENT_FILES := \
    kernel/arch/trap.cpp \
    kernel/time/sleep.cpp \
    kernel/sched/preemption_decision.cpp \
    kernel/sync/semaphore.cpp
