# Resolves the layers of chapter $(CH): chapters 1..CH, in order.
#
# Each layer's chapter.mk (fpga/layer.mk for the board port) sets, relative to its own folder:
#   PARENT         the folder of the layer below (empty for ch1), checked here
#   LAYER_KERNEL   kernel-only sources (assembly, drivers, boot)
#   LAYER_PORTABLE sources that also build on the host for the unit tests
#   LAYER_KTESTS   in-kernel tests (KTEST) of this layer
#   LAYER_BENCH    benchmarks (BENCH) of this layer
#   LAYER_UNIT     Catch2 host tests of this layer
#   LAYER_DEMO     the file with app_main() for `make run` (the top layer's wins)
#   LAYER_FIRST_PROGRAM  the file naming the first user program `make run` starts
#                  (proc::first_program(); the top layer's wins, ch3's weak default else)
#   STUDENT_FILES  files a student may change (for the grader)
#   LAYER_USER_PROGRAMS  user programs (user/programs/<name>.cpp), embedded in every image
#   LAYER_USER_LIB       the user library's sources (crt0, system-call wrappers, ...)
#   LAYER_USER_SHARED  kernel sources, named from the kit's root, that the user library
#                  compiles too (portable code: ch6 reuses ch2's semaphore for channels)
#   LAYER_LWIP     lwIP sources (relative to lwIP's src/) this layer links into the kernel
#   LAYER_LWIP_PORT  the folder with its lwipopts.h and arch/cc.h (the top layer's wins)
#   LAYER_HOST_PROGRAMS  user programs that also build as host programs (`make
#                  host-client`: build/chN/host/<name>), with -DCOPS_HOST_BUILD=1 and the
#                  layer's host/ folder on the include path
#   LAYER_VDSO     sources, named from the kit's root, that from this layer on are
#                  built as the shared scheduler blob (the vDSO) instead of into the
#                  kernel; the kernel and every process call the blob (mk/vdso.mk)
# and this file turns them into whole-tree lists.

ROOT      ?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
ALL_CHAPTERS := $(sort $(patsubst $(ROOT)/%/chapter.mk,%,$(wildcard $(ROOT)/ch[0-9]*-*/chapter.mk)))
chapter_num   = $(patsubst ch%,%,$(firstword $(subst -, ,$(1))))
CH        ?= $(call chapter_num,$(lastword $(ALL_CHAPTERS)))
LAYERS    := $(foreach c,$(ALL_CHAPTERS),$(if $(filter $(shell echo $$(( $(call chapter_num,$(c)) <= $(CH) ))),1),$(c)))
ifeq ($(LAYERS),)
  $(error CH=$(CH) names no chapter; chapters here: $(ALL_CHAPTERS))
endif
CHAPTER_DIR := $(lastword $(LAYERS))
ifneq ($(call chapter_num,$(CHAPTER_DIR)),$(CH))
  $(error CH=$(CH): there is no chapter $(CH); chapters here: $(ALL_CHAPTERS))
endif

KERNEL_SRCS   :=
PORTABLE_SRCS :=
KTEST_SRCS    :=
BENCH_SRCS    :=
UNIT_SRCS     :=
USER_PROGRAM_SRCS :=
HOST_PROGRAM_SRCS :=
HOST_PROGRAM_INCLUDE_DIRS :=
USER_LIB_SRCS :=
USER_INCLUDE_DIRS :=
VDSO_SRCS     :=
DEMO_SRC      :=
FIRST_PROGRAM_SRC :=
LWIP_SRCS     :=
LWIP_PORT_DIR :=
LAYER_USER_SHARED_SRCS :=
ALL_STUDENT_FILES :=
INCLUDE_DIRS  :=
EXPECTED_PARENT :=

define load_layer
  PARENT :=
  LAYER_KERNEL :=
  LAYER_PORTABLE :=
  LAYER_KTESTS :=
  LAYER_BENCH :=
  LAYER_UNIT :=
  LAYER_DEMO :=
  LAYER_FIRST_PROGRAM :=
  LAYER_USER_PROGRAMS :=
  LAYER_HOST_PROGRAMS :=
  LAYER_USER_LIB :=
  LAYER_VDSO :=
  LAYER_LWIP :=
  LAYER_LWIP_PORT :=
  LAYER_USER_SHARED :=
  STUDENT_FILES :=
  include $(ROOT)/$(1)/$(2)
  ifneq ($$(strip $$(PARENT)),$$(strip $$(EXPECTED_PARENT)))
    $$(error $(1)/chapter.mk: PARENT is '$$(PARENT)' but the layer below is '$$(EXPECTED_PARENT)')
  endif
  EXPECTED_PARENT := $(1)
  KERNEL_SRCS   += $$(addprefix $(1)/,$$(LAYER_KERNEL))
  PORTABLE_SRCS += $$(addprefix $(1)/,$$(LAYER_PORTABLE))
  KTEST_SRCS    += $$(addprefix $(1)/,$$(LAYER_KTESTS))
  BENCH_SRCS    += $$(addprefix $(1)/,$$(LAYER_BENCH))
  UNIT_SRCS     += $$(addprefix $(1)/,$$(LAYER_UNIT))
  ALL_STUDENT_FILES += $$(addprefix $(1)/,$$(STUDENT_FILES))
  USER_PROGRAM_SRCS += $$(addprefix $(1)/,$$(LAYER_USER_PROGRAMS))
  HOST_PROGRAM_SRCS += $$(addprefix $(1)/,$$(LAYER_HOST_PROGRAMS))
  HOST_PROGRAM_INCLUDE_DIRS += $(wildcard $(ROOT)/$(1)/host)
  USER_LIB_SRCS += $$(addprefix $(1)/,$$(LAYER_USER_LIB))
  VDSO_SRCS     += $$(LAYER_VDSO)
  LWIP_SRCS     += $$(LAYER_LWIP)
  LAYER_USER_SHARED_SRCS += $$(LAYER_USER_SHARED)
  ifneq ($$(strip $$(LAYER_LWIP_PORT)),)
    LWIP_PORT_DIR := $(ROOT)/$(1)/$$(LAYER_LWIP_PORT)
  endif
  INCLUDE_DIRS  += $(ROOT)/$(1)/include
  USER_INCLUDE_DIRS += $(ROOT)/$(1)/include $(wildcard $(ROOT)/$(1)/user/include)
  ifneq ($$(strip $$(LAYER_DEMO)),)
    DEMO_SRC := $(1)/$$(LAYER_DEMO)
  endif
  ifneq ($$(strip $$(LAYER_FIRST_PROGRAM)),)
    FIRST_PROGRAM_SRC := $(1)/$$(LAYER_FIRST_PROGRAM)
  endif
endef
$(foreach l,$(LAYERS),$(eval $(call load_layer,$(l),chapter.mk)))
# The board port (fpga/layer.mk) sits on the chapter its PARENT names, the newest one:
# its drivers are probed from the device tree, so that chapter's one kernel boots
# QEMU virt and the FPGA board. A handout of an earlier chapter has no fpga/.
BOARD_LAYER := $(if $(wildcard $(ROOT)/fpga/layer.mk),$(if $(filter $(CHAPTER_DIR),\
    $(shell sed -n 's/^PARENT *:= *//p' $(ROOT)/fpga/layer.mk)),fpga))
ifneq ($(BOARD_LAYER),)
  $(eval $(call load_layer,fpga,layer.mk))
  LAYERS += fpga
endif
KERNEL_SRCS += $(FIRST_PROGRAM_SRC)
