# Builds the kernel images of chapter $(CH) from layers 1..CH:
#   $(BUILD)/kernel.elf        the demo that `make run` boots
#   $(BUILD)/test-kernel.elf   every layer's KTESTs (plus EXTRA_KTEST_SRCS)
#   $(BUILD)/bench-kernel.elf  every layer's BENCHes
#   $(BUILD)/unit-tests        the Catch2 host tests of layers 1..CH
# Usage: make -f mk/kernel.mk CH=N [BUILD=build/chN] [EXTRA_KTEST_SRCS=...] <image>

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
include $(ROOT)/mk/toolchain.mk
include $(ROOT)/mk/layers.mk

BUILD ?= $(ROOT)/build/ch$(CH)
LINKER_SCRIPT := $(ROOT)/ch1-executor/kernel/boot/kernel.ld
INCLUDE_FLAGS := $(addprefix -I,$(INCLUDE_DIRS))

obj = $(patsubst %,$(BUILD)/obj/%.o,$(1))
hostobj = $(patsubst %,$(BUILD)/host/%.o,$(1))

include $(ROOT)/mk/lwip-kernel.mk
include $(ROOT)/mk/vdso.mk
include $(ROOT)/mk/user.mk

# Sources built into the shared scheduler blob are not linked into the kernel again.
CORE_OBJS  := $(call obj,$(filter-out $(VDSO_SRCS),$(KERNEL_SRCS) $(PORTABLE_SRCS))) $(USER_EMBED_OBJ) \
              $(VDSO_KERNEL_OBJ) $(LWIP_OBJS)
DEMO_OBJS  := $(call obj,$(DEMO_SRC))
# Every kernel source may include lwIP's headers once it is in the chapter.
$(call obj,$(KERNEL_SRCS) $(PORTABLE_SRCS) $(DEMO_SRC) $(KTEST_SRCS) $(BENCH_SRCS)): | $(LWIP_ORDER)
KTEST_OBJS := $(call obj,$(KTEST_SRCS) $(EXTRA_KTEST_SRCS)) $(LWIP_TEST_OBJS)
BENCH_OBJS := $(call obj,$(BENCH_SRCS))
UNIT_OBJS  := $(call hostobj,$(PORTABLE_SRCS) $(UNIT_SRCS))

# The harness's own test kernel: ch1's runner plus tests that fail on purpose.
KTEST_MAIN := ch1-executor/kernel/test/ktest_main.cpp
SELFTEST_SRCS := $(patsubst $(ROOT)/%,%,$(wildcard $(ROOT)/harness/selftest/*.cpp))
SELFTEST_OBJS := $(call obj,$(KTEST_MAIN) $(SELFTEST_SRCS))

# Host builds of user programs (LAYER_HOST_PROGRAMS): optimized, without sanitizers
# (they are load generators), with the kit's formatter.
HOST_PROGRAMS := $(patsubst %.cpp,$(BUILD)/host-programs/%,$(notdir $(HOST_PROGRAM_SRCS)))
HOST_PROGRAM_LIB := $(filter %/lib/format.cpp,$(PORTABLE_SRCS))
HOST_PROGRAM_FLAGS := -std=c++20 $(WARN_FLAGS) -O2 -g -pthread -DCOPS_HOST_BUILD=1 \
    $(addprefix -I,$(HOST_PROGRAM_INCLUDE_DIRS) $(USER_INCLUDE_DIRS))
vpath %.cpp $(sort $(dir $(addprefix $(ROOT)/,$(HOST_PROGRAM_SRCS))))
$(BUILD)/host-programs/%: %.cpp $(addprefix $(ROOT)/,$(HOST_PROGRAM_LIB))
	@mkdir -p $(dir $@)
	@echo "  HOSTCXX $(notdir $@) (host program)"
	@$(HOST_CXX) $(HOST_PROGRAM_FLAGS) -MMD -MP -MT $@ -o $@ $(filter %.cpp,$^)

.PHONY: all kernel test-kernel bench-kernel unit-tests selftest-kernel host-programs
all: kernel test-kernel bench-kernel unit-tests
host-programs: $(HOST_PROGRAMS)
	@true
kernel: $(BUILD)/kernel.elf
test-kernel: $(BUILD)/test-kernel.elf
bench-kernel: $(BUILD)/bench-kernel.elf
unit-tests: $(BUILD)/unit-tests
selftest-kernel: $(BUILD)/selftest-kernel.elf

# COPS_LAYER: the chapter a source belongs to (0 outside the chapters, 7 for the board
# port fpga/, which sits on chapter 6: init::kBoardLayer), for the boot
# order of its init calls (include/cops/init/initcall.hpp).
layer_of = $(if $(filter fpga,$(firstword $(subst /, ,$(1)))),7,$(or $(filter 1 2 3 4 5 6 7 8 9,$(call chapter_num,$(firstword $(subst /, ,$(1))))),0))

$(BUILD)/obj/%.cpp.o: $(ROOT)/%.cpp
	@mkdir -p $(dir $@)
	@echo "  CXX     $*.cpp"
	@$(TARGET_CXX) $(KERNEL_CXXFLAGS) -DCOPS_LAYER=$(call layer_of,$*) $(INCLUDE_FLAGS) -MMD -MP -MT $@ -c $< -o $@

$(BUILD)/obj/%.S.o: $(ROOT)/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $*.S"
	@$(TARGET_CXX) $(KERNEL_ASFLAGS) $(INCLUDE_FLAGS) -MMD -MP -MT $@ -c $< -o $@

$(BUILD)/host/%.cpp.o: $(ROOT)/%.cpp
	@mkdir -p $(dir $@)
	@echo "  HOSTCXX $*.cpp"
	@$(HOST_CXX) $(HOST_CXXFLAGS) $(INCLUDE_FLAGS) -MMD -MP -MT $@ -c $< -o $@

define link_kernel
	@echo "  LD      $(notdir $@)"
	@$(TARGET_CXX) $(KERNEL_CXXFLAGS) $(KERNEL_LDFLAGS) -T $(LINKER_SCRIPT) -o $@ $(filter %.o,$^) $(PICOLIBC_LIB) -lgcc
endef

$(BUILD)/kernel.elf: $(CORE_OBJS) $(DEMO_OBJS) $(LINKER_SCRIPT)
	$(link_kernel)
$(BUILD)/test-kernel.elf: $(CORE_OBJS) $(KTEST_OBJS) $(LINKER_SCRIPT)
	$(link_kernel)
$(BUILD)/bench-kernel.elf: $(CORE_OBJS) $(BENCH_OBJS) $(LINKER_SCRIPT)
	$(link_kernel)
$(BUILD)/selftest-kernel.elf: $(CORE_OBJS) $(SELFTEST_OBJS) $(LINKER_SCRIPT)
	$(link_kernel)

# Device trees the unit tests read: every layer's tests/unit/fixtures/*.dts, and QEMU virt's own.
FIXTURE_DIR := $(BUILD)/fixtures
FIXTURE_DTS := $(foreach l,$(LAYERS),$(wildcard $(ROOT)/$(l)/tests/unit/fixtures/*.dts $(ROOT)/$(l)/board/*.dts))
FIXTURES := $(patsubst %.dts,$(FIXTURE_DIR)/%.dtb,$(notdir $(FIXTURE_DTS))) $(FIXTURE_DIR)/qemu-virt.dtb
HOST_CXXFLAGS += -DCOPS_FIXTURE_DIR=\"$(FIXTURE_DIR)\"
vpath %.dts $(dir $(FIXTURE_DTS))
$(FIXTURE_DIR)/%.dtb: %.dts
	@mkdir -p $(dir $@)
	@echo "  DTC     $(notdir $<)"
	@dtc -q -I dts -O dtb -o $@ $<
$(FIXTURE_DIR)/qemu-virt.dtb:
	@mkdir -p $(dir $@)
	@echo "  DUMPDTB qemu-virt.dtb"
	@$(QEMU) -machine virt,dumpdtb=$@ -cpu rv64 -smp 1 -m 128M -display none >/dev/null 2>&1 || \
	    { echo "kit: error: $(QEMU) could not dump the virt device tree" >&2; exit 1; }

$(BUILD)/unit-tests: $(UNIT_OBJS) $(FIXTURES)
	@echo "  HOSTLD  $(notdir $@)"
	@$(HOST_CXX) $(HOST_CXXFLAGS) -o $@ $(filter %.o,$^)

# Flags for tools (compile_commands.json, the harness, gdb).
.PHONY: print-vars
print-vars:
	@echo "CHAPTER_DIR=$(CHAPTER_DIR)"
	@echo "LAYERS=$(LAYERS)"
	@echo "TARGET_CXX=$(TARGET_CXX)"
	@echo "STUDENT_FILES=$(ALL_STUDENT_FILES)"
	@echo "KERNEL_SRCS=$(KERNEL_SRCS) $(PORTABLE_SRCS) $(DEMO_SRC) $(KTEST_SRCS) $(BENCH_SRCS)"
	@echo "UNIT_SRCS=$(UNIT_SRCS)"
	@echo "KERNEL_CXXFLAGS=$(KERNEL_CXXFLAGS) $(INCLUDE_FLAGS)"
	@echo "HOST_CXXFLAGS=$(HOST_CXXFLAGS) $(INCLUDE_FLAGS)"

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
