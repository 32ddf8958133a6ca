# lwIP's own unit tests (its test/unit suite, for Debian's `check` library), built on
# the host from the fetched upstream tree (mk/fetch-lwip.sh) with ASan and UBSan:
# a test suite nobody in this kit wrote, guarding the fetch and the compiler flags.
#   make -f mk/lwip-unit.mk            -> build/lwip/lwip-unit-tests
# The suite's own lwipopts.h (NO_SYS=0, its test sys_arch) is used; the kit adds only
# the host arch/cc.h and MEM_ALIGNMENT 8 (lwIP's default of 1 gives misaligned pbufs).

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
LWIP_DIR := $(ROOT)/third_party/lwip-2.1.3
BUILD ?= $(ROOT)/build/lwip
HOST_CC ?= gcc

.PHONY: all fetch
all: $(BUILD)/lwip-unit-tests

fetch:
	@bash $(ROOT)/mk/fetch-lwip.sh

ifneq ($(wildcard $(LWIP_DIR)/.cops-sha256),)
LWIPDIR := $(LWIP_DIR)/src
include $(LWIP_DIR)/src/Filelists.mk
include $(LWIP_DIR)/test/unit/Filelists.mk
# slipif needs a serial port (sio_*) that no test uses.
LWIP_UNIT_SRCS := $(filter-out %/slipif.c,$(LWIPNOAPPSFILES)) $(MDNSFILES) $(MQTTFILES) $(TESTFILES)
LWIP_UNIT_OBJS := $(patsubst $(LWIP_DIR)/%.c,$(BUILD)/obj/%.o,$(abspath $(LWIP_UNIT_SRCS)))
LWIP_CFLAGS := -std=gnu99 -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
    -DMEM_ALIGNMENT=8 -I$(ROOT)/ch6-tcpserver/lwip/host-port -I$(LWIP_DIR)/test/unit \
    -I$(LWIP_DIR)/src/include -Wno-address -Wno-format-truncation -Wno-stringop-overflow

$(BUILD)/obj/%.o: $(LWIP_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  LWIPCC  $*.c"
	@$(HOST_CC) $(LWIP_CFLAGS) $$(pkg-config --cflags check) -c $< -o $@

$(BUILD)/lwip-unit-tests: $(LWIP_UNIT_OBJS)
	@echo "  LD      lwip-unit-tests"
	@$(HOST_CC) -fsanitize=address,undefined -o $@ $^ $$(pkg-config --libs check)
else
$(BUILD)/lwip-unit-tests: fetch
	@$(MAKE) --no-print-directory -f $(ROOT)/mk/lwip-unit.mk BUILD=$(BUILD)
endif
