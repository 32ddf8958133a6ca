# Toolchain and flags shared by every kernel image and the host tests.
# Override CROSS_COMPILE to use another RISC-V toolchain (e.g. riscv64-unknown-elf-).

CROSS_COMPILE ?= riscv64-linux-gnu-
TARGET_CXX    := $(CROSS_COMPILE)g++
TARGET_OBJDUMP:= $(CROSS_COMPILE)objdump
TARGET_NM     := $(CROSS_COMPILE)nm
QEMU          ?= qemu-system-riscv64
OPENSBI       ?= /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
PICOLIBC_LIB  ?= /usr/lib/picolibc/riscv64-unknown-elf/lib/rv64imafdc/lp64d/libc.a
PYTHON        ?= python3
HOST_CXX      ?= g++

# COPS_CCACHE=<folder>: compile through ccache, its cache in <folder>. The kit's own
# tests set it (harness/cli.py) for the many copies of the kit they build: handouts and
# grading copies in temporary folders. Paths are made relative to the kit (ccache's
# base_dir, -ffile-prefix-map), so a copy in another folder reuses what an earlier copy
# compiled, and __FILE__ and the debug info name kit-relative paths. Unset, nothing changes.
ifneq ($(strip $(COPS_CCACHE)),)
  ifneq ($(shell command -v ccache 2>/dev/null),)
    TARGET_CXX := ccache $(TARGET_CXX)
    HOST_CXX   := ccache $(HOST_CXX)
    PATH_FLAGS := -ffile-prefix-map=$(CURDIR)/=
    export CCACHE_DIR := $(COPS_CCACHE)
    export CCACHE_BASEDIR := $(CURDIR)
    export CCACHE_NOHASHDIR := 1
  endif
endif

# The kernel: freestanding C++20, medium-any code model, frame pointers kept
# so panic() can print a backtrace that the host tools symbolize.
TARGET_ARCH_FLAGS := -march=rv64gc -mabi=lp64d -mcmodel=medany
WARN_FLAGS        := -Wall -Wextra -Werror
KERNEL_CXXFLAGS   := -std=c++20 $(TARGET_ARCH_FLAGS) $(WARN_FLAGS) -O2 -g \
                     -ffreestanding -fno-exceptions -fno-rtti -fno-pie \
                     -fno-omit-frame-pointer -fno-stack-protector \
                     -fno-threadsafe-statics -fno-use-cxa-atexit \
                     -fno-asynchronous-unwind-tables -ffunction-sections \
                     -DCOPS_KERNEL=1 $(PATH_FLAGS)
KERNEL_ASFLAGS    := $(TARGET_ARCH_FLAGS) -g -DCOPS_KERNEL=1 $(PATH_FLAGS)
KERNEL_LDFLAGS    := -nostdlib -static -no-pie -Wl,--gc-sections -Wl,--build-id=none

# Host unit tests: the portable code built natively with sanitizers.
# (-Wno-maybe-uninitialized: GCC 12 reports a false positive inside libstdc++'s
# <regex>, which Catch2 includes, when it is built with ASan.)
HOST_CXXFLAGS := -std=c++20 $(WARN_FLAGS) -Wno-maybe-uninitialized -O1 -g -fsanitize=address,undefined \
                 -fno-sanitize-recover=undefined -fno-omit-frame-pointer -DCOPS_HOST=1 $(PATH_FLAGS)

# QEMU: the virt machine booting Debian's OpenSBI; -icount shift=0 makes one
# guest instruction one virtual nanosecond, so instruction counts and test
# budgets do not depend on the host's speed.
SMP         ?= 1
# The kernels have boot stacks and hart slots for 8 harts (entry.S, sched::kMaxHarts):
# refuse anything else up front instead of booting into a hang.
ifneq ($(shell [ "$(SMP)" -ge 1 ] 2>/dev/null && [ "$(SMP)" -le 8 ] 2>/dev/null && echo ok),ok)
  $(error SMP=$(SMP): the kit's kernels run on 1 to 8 harts; choose SMP between 1 and 8)
endif
QEMU_MEM    ?= 128M
QEMU_FLAGS  := -machine virt -cpu rv64 -smp $(SMP) -m $(QEMU_MEM) -bios $(OPENSBI) \
               -display none -serial stdio -monitor none -no-reboot
QEMU_ICOUNT := -icount shift=0
