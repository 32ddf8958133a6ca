# lwIP in the kernel (chapter 6 on): the layers' LAYER_LWIP sources, compiled as
# freestanding C against picolibc's headers, with the top layer's lwipopts.h and
# arch/cc.h (LAYER_LWIP_PORT). The sources are fetched by mk/fetch-lwip.sh into the
# ignored third_party/ folder; nothing of lwIP is committed.
#   LWIP_OBJS       the objects, linked into every kernel image of the chapter
#   LWIP_ORDER      an order-only prerequisite: lwIP's sources and headers are there
LWIP_DIR   := $(ROOT)/third_party/lwip-2.1.3
LWIP_STAMP := $(LWIP_DIR)/.cops-sha256
LWIP_OBJS  :=
LWIP_ORDER :=

ifneq ($(strip $(LWIP_SRCS)),)
PICOLIBC_INCLUDE ?= /usr/lib/picolibc/riscv64-unknown-elf/include
LWIP_OBJS  := $(patsubst %.c,$(BUILD)/lwip/%.c.o,$(LWIP_SRCS))
LWIP_ORDER := $(LWIP_STAMP)
# The kernel's C++ sees lwIP's headers too (through extern "C").
INCLUDE_FLAGS += -I$(LWIP_PORT_DIR) -I$(LWIP_DIR)/src/include
LWIP_CFLAGS := -std=gnu11 $(TARGET_ARCH_FLAGS) -O2 -g -ffreestanding -fno-pie -fno-omit-frame-pointer \
               -fno-stack-protector -fno-asynchronous-unwind-tables -ffunction-sections \
               -nostdinc -isystem $(PICOLIBC_INCLUDE) -isystem $(shell $(TARGET_CXX) -print-file-name=include) \
               -I$(LWIP_PORT_DIR) -I$(LWIP_DIR)/src/include -Wall -Wextra -Werror -Wno-unused-parameter

$(LWIP_STAMP):
	@bash $(ROOT)/mk/fetch-lwip.sh

$(addprefix $(LWIP_DIR)/src/,$(LWIP_SRCS)): | $(LWIP_STAMP) ;

$(BUILD)/lwip/%.c.o: $(LWIP_DIR)/src/%.c | $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      lwip/$*.c"
	@$(TARGET_CXX:g++=gcc) $(LWIP_CFLAGS) -MMD -MP -c $< -o $@
endif
