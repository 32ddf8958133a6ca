# Chapter 4 — asynchronous system calls: one entry per I/O call serving a sync and a
# co_await form; calls that must wait carried on by pooled kernel coroutines; the
# completion ring; file descriptors and pipes.
PARENT := ch3-shared-scheduler

LAYER_KERNEL := \
    kernel/dev/virtio_mmio.cpp \
    kernel/dev/virtio_blk.cpp \
    kernel/io/file.cpp \
    kernel/io/readiness.cpp \
    kernel/io/process_io.cpp \
    kernel/io/call.cpp \
    kernel/io/syscalls_io.cpp

# `make run` starts this chapter's demo program (the top layer's file wins).
LAYER_FIRST_PROGRAM := kernel/io/first_program.cpp

# Also compiled for the host unit tests.
LAYER_PORTABLE := \
    kernel/io/pipe.cpp

LAYER_KTESTS := $(patsubst $(ROOT)/ch4-async-syscalls/%,%,$(wildcard $(ROOT)/ch4-async-syscalls/tests/kernel/*.cpp))
LAYER_BENCH := $(patsubst $(ROOT)/ch4-async-syscalls/%,%,$(wildcard $(ROOT)/ch4-async-syscalls/bench/*.cpp))
LAYER_UNIT := $(patsubst $(ROOT)/ch4-async-syscalls/%,%,$(wildcard $(ROOT)/ch4-async-syscalls/tests/unit/*.cpp))

LAYER_USER_PROGRAMS := $(patsubst $(ROOT)/ch4-async-syscalls/%,%,$(wildcard $(ROOT)/ch4-async-syscalls/user/programs/*.cpp))
LAYER_USER_LIB := \
    user/lib/async_runtime.cpp

# The test kernel boots with four harts (the harness reads this line).
TEST_SMP := 4
# `make stress` (harness/stress.py): calls completed on one hart for a process on another.
STRESS_TESTS := async/1000-concurrent-reads-across-10-processes-complete-once-each \
    async/a-writer-on-a-full-pipe-resumes-when-a-reader-drains-it
# Boots of this chapter and later ones get a zeroed virtio-blk disk of this many MiB.
TEST_DISK_MB := 1

# What a student may change for this chapter.
STUDENT_FILES := \
    kernel/io/syscalls_io.cpp \
    kernel/io/process_io.cpp \
    kernel/io/pipe.cpp
