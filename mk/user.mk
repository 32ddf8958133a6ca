# User programs: each layer's user/programs/<name>.cpp becomes $(BUILD)/user/<name>.elf,
# linked with the user library at the address user/user.ld gives, and all of them
# are embedded in the kernel images through a generated assembly file.
# Included by kernel.mk; does nothing for chapters without user programs.

USER_BUILD    := $(BUILD)/user
USER_LDSCRIPT := $(firstword $(foreach l,$(LAYERS),$(wildcard $(ROOT)/$(l)/user/user.ld)))
# The kernel's ABI (Debian's cross headers are lp64d only). User threads run with the
# FPU off (sstatus.FS = Off): the kernel does not save FPU state per thread, so a
# floating-point instruction in user mode is an illegal instruction.
USER_ARCH_FLAGS := $(TARGET_ARCH_FLAGS)
USER_CXXFLAGS := -std=c++20 $(USER_ARCH_FLAGS) $(WARN_FLAGS) -O2 -g \
                 -ffreestanding -fno-exceptions -fno-rtti -fno-pie -fno-stack-protector \
                 -fno-threadsafe-statics -fno-use-cxa-atexit -fno-asynchronous-unwind-tables \
                 -ffunction-sections -fdata-sections -DCOPS_USER=1
USER_ASFLAGS  := $(USER_ARCH_FLAGS) -g -DCOPS_USER=1
USER_LDFLAGS  := -nostdlib -static -no-pie -Wl,--gc-sections -Wl,--build-id=none
USER_PICOLIBC ?= $(PICOLIBC_LIB)
USER_INCLUDE_FLAGS := $(addprefix -I,$(USER_INCLUDE_DIRS))
# ch1's portable pieces the user library reuses: text formatting and the heap, and,
# with the shared scheduler, the executor's constructor and frame counters (its
# operations are the blob's, bound through $(VDSO_USER_SYMS)).
USER_SHARED_SRCS := ch1-executor/kernel/lib/format.cpp ch1-executor/kernel/mm/size_class_heap.cpp \
    $(if $(VDSO_SRCS),ch1-executor/kernel/sched/executor_lifetime.cpp ch1-executor/kernel/sched/frame_stats.cpp) \
    $(LAYER_USER_SHARED_SRCS)

userobj = $(patsubst %,$(USER_BUILD)/obj/%.o,$(1))
USER_LIB_OBJS := $(call userobj,$(USER_LIB_SRCS) $(USER_SHARED_SRCS))
USER_ELFS := $(patsubst %,$(USER_BUILD)/%.elf,$(basename $(notdir $(USER_PROGRAM_SRCS))))
USER_EMBED_OBJ := $(if $(USER_PROGRAM_SRCS),$(BUILD)/obj/user_programs.S.o)

$(USER_BUILD)/obj/%.cpp.o: $(ROOT)/%.cpp
	@mkdir -p $(dir $@)
	@echo "  UCXX    $*.cpp"
	@$(TARGET_CXX) $(USER_CXXFLAGS) $(USER_INCLUDE_FLAGS) -MMD -MP -MT $@ -c $< -o $@

$(USER_BUILD)/obj/%.S.o: $(ROOT)/%.S
	@mkdir -p $(dir $@)
	@echo "  UAS     $*.S"
	@$(TARGET_CXX) $(USER_ASFLAGS) $(USER_INCLUDE_FLAGS) -MMD -MP -MT $@ -c $< -o $@

define user_program
$(USER_BUILD)/$(basename $(notdir $(1))).elf: $(call userobj,$(1)) $(USER_LIB_OBJS) $(USER_LDSCRIPT) $(VDSO_USER_SYMS)
	@echo "  ULD     $$(notdir $$@)"
	@$(TARGET_CXX) $(USER_CXXFLAGS) $(USER_LDFLAGS) -T $(USER_LDSCRIPT) -o $$@ $$(filter %.o,$$^) $(VDSO_USER_SYMS) $(USER_PICOLIBC) -lgcc
endef
$(foreach p,$(USER_PROGRAM_SRCS),$(eval $(call user_program,$(p))))

$(USER_BUILD)/programs.S: $(USER_ELFS) $(ROOT)/mk/embed_programs.sh
	@echo "  EMBED   $(words $(USER_ELFS)) user programs"
	@bash $(ROOT)/mk/embed_programs.sh $@ $(USER_ELFS)

$(BUILD)/obj/user_programs.S.o: $(USER_BUILD)/programs.S
	@$(TARGET_CXX) $(KERNEL_ASFLAGS) -c $< -o $@

.PHONY: user-programs
user-programs: $(USER_ELFS)
