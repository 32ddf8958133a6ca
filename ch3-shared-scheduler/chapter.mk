# Chapter 3 — user processes and the shared scheduler: Sv39, address spaces, ELF
# programs, processes and user threads, system calls.
PARENT := ch2-kernel-coroutines

LAYER_KERNEL := \
    kernel/mm/frame_allocator.cpp \
    kernel/mm/kernel_space.cpp \
    kernel/proc/user_entry.S \
    kernel/proc/program_table.cpp \
    kernel/proc/loader.cpp \
    kernel/proc/process.cpp \
    kernel/proc/process_hooks.cpp \
    kernel/proc/user_trap_hooks.cpp \
    kernel/proc/user_thread.cpp \
    kernel/proc/syscall_table.cpp \
    kernel/proc/syscalls_process.cpp \
    kernel/proc/syscalls_io.cpp \
    kernel/proc/syscalls_sched.cpp \
    kernel/proc/shared_scheduler_pages.cpp \
    kernel/proc/global_view.cpp \
    kernel/proc/switching_coroutine.cpp

# Also compiled for the host unit tests.
LAYER_PORTABLE := \
    kernel/mm/page_table.cpp \
    kernel/mm/address_space.cpp \
    kernel/mm/user_copy.cpp \
    kernel/proc/elf.cpp \
    kernel/proc/process_level.cpp

LAYER_KTESTS := $(patsubst $(ROOT)/ch3-shared-scheduler/%,%,$(wildcard $(ROOT)/ch3-shared-scheduler/tests/kernel/*.cpp))
LAYER_BENCH := $(patsubst $(ROOT)/ch3-shared-scheduler/%,%,$(wildcard $(ROOT)/ch3-shared-scheduler/bench/*.cpp))
LAYER_UNIT := $(patsubst $(ROOT)/ch3-shared-scheduler/%,%,$(wildcard $(ROOT)/ch3-shared-scheduler/tests/unit/*.cpp))
LAYER_DEMO := kernel/demo/boot_init.cpp

# User programs (one .cpp each, named after the file) and the user library.
LAYER_USER_PROGRAMS := $(patsubst $(ROOT)/ch3-shared-scheduler/%,%,$(wildcard $(ROOT)/ch3-shared-scheduler/user/programs/*.cpp))
LAYER_USER_LIB := \
    user/lib/crt0.S \
    user/lib/start.cpp \
    user/lib/syscalls.cpp \
    user/lib/print.cpp \
    user/lib/heap.cpp \
    user/lib/threads.cpp \
    user/lib/scheduler.cpp

# The shared scheduler: ch1's executor operations, built once as a position-independent
# blob that the kernel and every process call (mk/vdso.mk).
LAYER_VDSO := ch1-executor/kernel/sched/executor.cpp

# The test kernel boots with four harts (the harness reads this line).
TEST_SMP := 4
# `make stress` (harness/stress.py): threads of one process on several harts at once.
STRESS_TESTS := proc/threads-run-in-parallel-on-several-harts proc/exit-ends-threads-that-join-each-other \
    attack/exit-with-threads-spinning-on-every-hart-ends-them-all

# What a student may change for this chapter.
STUDENT_FILES := \
    kernel/mm/page_table.cpp \
    kernel/mm/user_copy.cpp \
    kernel/proc/syscall_table.cpp \
    kernel/proc/process.cpp \
    kernel/proc/process_level.cpp \
    kernel/proc/switching_coroutine.cpp \
    user/lib/scheduler.cpp
