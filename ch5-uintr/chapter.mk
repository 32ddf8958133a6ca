# Chapter 5 — user-space interrupts: the N extension's user CSRs, uret and the uipi
# instructions, emulated by the kernel on QEMU (trap-and-emulate, and a vDSO fast
# path); receivers, sender handles and sending; ch4 completions by user interrupt.
PARENT := ch4-async-syscalls

LAYER_KERNEL := \
    kernel/uintr/vdso_page.S \
    kernel/uintr/uintr_hooks.cpp \
    kernel/uintr/receivers.cpp \
    kernel/uintr/syscalls_uintr.cpp

# `make run` starts this chapter's demo program (the top layer's file wins).
LAYER_FIRST_PROGRAM := kernel/uintr/first_program.cpp

# Also compiled for the host unit tests.
LAYER_PORTABLE := \
    kernel/uintr/emulate.cpp \
    kernel/uintr/uintc.cpp

LAYER_KTESTS := $(patsubst $(ROOT)/ch5-uintr/%,%,$(wildcard $(ROOT)/ch5-uintr/tests/kernel/*.cpp))
LAYER_BENCH := $(patsubst $(ROOT)/ch5-uintr/%,%,$(wildcard $(ROOT)/ch5-uintr/bench/*.cpp))
LAYER_UNIT := $(patsubst $(ROOT)/ch5-uintr/%,%,$(wildcard $(ROOT)/ch5-uintr/tests/unit/*.cpp))

LAYER_USER_PROGRAMS := $(patsubst $(ROOT)/ch5-uintr/%,%,$(wildcard $(ROOT)/ch5-uintr/user/programs/*.cpp))
LAYER_USER_LIB := \
    user/lib/uintr_runtime.cpp \
    user/lib/fuzz_calls_uintr.cpp

# The test kernel boots with four harts (the harness reads this line).
TEST_SMP := 4
# `make stress` (harness/stress.py): sends that race a running receiver.
STRESS_TESTS := uintr/100000-notifications-between-two-processes-none-lost-none-twice \
    uintr/a-sender-on-another-hart-interrupts-a-loop-every-register-intact

# What a student may change for this chapter.
STUDENT_FILES := \
    kernel/uintr/emulate.cpp \
    kernel/uintr/receivers.cpp \
    user/lib/uintr_runtime.cpp
