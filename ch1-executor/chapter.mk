# Chapter 1 — the executor: boot, console, heap, coroutine control block, priority executor.
PARENT :=

LAYER_KERNEL := \
    kernel/boot/entry.S \
    kernel/boot/boot.cpp \
    kernel/arch/sbi.cpp \
    kernel/arch/fatal_trap_entry.S \
    kernel/arch/fatal_trap.cpp \
    kernel/arch/watchdog.cpp \
    kernel/dev/power.cpp \
    kernel/lib/console.cpp \
    kernel/lib/panic.cpp \
    kernel/lib/cxx_runtime.cpp \
    kernel/mm/kernel_heap.cpp

# Also compiled for the host unit tests.
LAYER_PORTABLE := \
    kernel/lib/error.cpp \
    kernel/lib/format.cpp \
    kernel/lib/fdt.cpp \
    kernel/init/init_order.cpp \
    kernel/mm/size_class_heap.cpp \
    kernel/sched/executor.cpp \
    kernel/sched/executor_lifetime.cpp \
    kernel/sched/frame_stats.cpp

LAYER_KTESTS := \
    kernel/test/ktest_main.cpp \
    $(patsubst $(ROOT)/ch1-executor/%,%,$(wildcard $(ROOT)/ch1-executor/tests/kernel/*.cpp))

LAYER_BENCH := \
    kernel/test/bench_main.cpp \
    $(patsubst $(ROOT)/ch1-executor/%,%,$(wildcard $(ROOT)/ch1-executor/bench/*.cpp))

LAYER_UNIT := $(patsubst $(ROOT)/ch1-executor/%,%,$(wildcard $(ROOT)/ch1-executor/tests/unit/*.cpp))

LAYER_DEMO := kernel/demo/producer_consumer.cpp

# What a student may change for this chapter (the grader lays only these over a pristine kit).
STUDENT_FILES := \
    include/cops/lib/intrusive_list.hpp \
    include/cops/sched/priority_bitmap.hpp \
    include/cops/sched/leveled_queue.hpp \
    kernel/sched/executor.cpp
