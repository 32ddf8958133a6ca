# COPS lab kit — the commands students and instructors use.
#
#   make run   [CH=N] [SMP=n] [INTERACTIVE=1] [INIT=prog,arg] [NET=hub|user|none] [PCAP=file] [BOOTLOG=1]
#                                  build chapter N's kernel and boot it
#   make test  [CH=N]              build and run every test (host + kernel); ends "N passed, N failed"
#   make bench [CH=N] [RUNS=k]     instruction-count benchmarks under qemu -icount shift=0
#   make fuzz  [CALLS=n] [SEED=s]  the seeded system-call fuzzer, on 1 and 4 harts (ch4 on)
#   make stress [CH=N] [RUNS=n] [ONLY=name]  races: the STRESS_TESTS on real parallel harts (no -icount)
#   make host-client               the load client built for this host (build/chN/host-programs/matrix_client)
#   make gdb   [CH=N] [KTEST=name] boot paused with a GDB server and attach gdb-multiarch
#   make grade [CH=N] [SUBMISSION=dir]  self-check (public tests), or grade a submission with hidden tests
#   make handout CH=N [OUT=dir] [ONLY=1] cut the student kit
#   make gradescope CH=N           the Gradescope autograder zip (build/gradescope-chN.zip)
#   make fpga-image                the FPGA board's boot image (build/fpga/; fpga/README.md)
#   make docs                      API reference and chapter guides (Doxygen)
#   make compile_commands.json     for clangd; make format / format-check (clang-format)
#   make clean
# CH defaults to the newest chapter. See README.md.

ROOT := $(CURDIR)
include mk/toolchain.mk

CHAPTERS := $(sort $(patsubst %/chapter.mk,%,$(wildcard ch[0-9]*-*/chapter.mk)))
chapter_num = $(patsubst ch%,%,$(firstword $(subst -, ,$(1))))
CHAPTER_NUMS := $(foreach c,$(CHAPTERS),$(call chapter_num,$(c)))
LAST_CH := $(lastword $(sort $(CHAPTER_NUMS)))
CH ?= $(LAST_CH)
ifeq ($(filter $(CH),$(CHAPTER_NUMS)),)
  $(error CH=$(CH) is not a chapter of this kit; choose one of: $(CHAPTER_NUMS))
endif
# Chapters 1..CH (for `make test CH=N`, only N's kernel runs: it already contains 1..N).
TEST_CHAPTERS := $(if $(filter command line,$(origin CH)),$(CH),$(CHAPTER_NUMS))

BUILD_DIR := build
# Copies of the kit (grading, handout checks) reuse this kit's lwIP tarball (mk/fetch-lwip.sh).
export COPS_LWIP_CACHE ?= $(ROOT)/third_party/cache
KMAKE := $(MAKE) --no-print-directory -f mk/kernel.mk
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
HARNESS := PYTHONPATH=$(ROOT) $(PYTHON) -m harness

.PHONY: help tools run test bench gdb docs clean build-tests grade handout gradescope fpga-image format format-check fuzz stress \
    host-client
GRADER := PYTHONPATH=$(ROOT) $(PYTHON) -m grader --root $(ROOT)
help:
	@sed -n '3,17p' Makefile | sed 's/^# \{0,1\}//'

tools:
	@CROSS_COMPILE=$(CROSS_COMPILE) QEMU=$(QEMU) OPENSBI=$(OPENSBI) PICOLIBC=$(PICOLIBC_LIB) bash mk/check-tools.sh --quiet

# Kernel command line for `make run`: INTERACTIVE=1 (ch2's echo), INIT=prog,arg,... (ch3's first program),
# BOOTLOG=1 (print each init step as it runs: the boot order, include/cops/init/initcall.hpp).
# $(value INIT): the words as typed (make does not expand a `$(...)` in them), single-quoted
# for the shell, so the kernel gets them unchanged.
RUN_ARGS := $(strip $(if $(INTERACTIVE),interactive=1) $(if $(BOOTLOG),bootlog=1) $(if $(value INIT),init=$(value INIT)))
RUN_APPEND := $(if $(RUN_ARGS),-append '$(subst ','\'',$(RUN_ARGS))')
# A chapter whose chapter.mk says TEST_DISK_MB := n (ch4 on) boots with a virtio-blk disk:
# build/chN/disk.img, made once (zeroed) and kept, so the host can look at what the guest wrote.
DISK_MB = $(shell sed -n 's/^TEST_DISK_MB[[:space:]]*:*=[[:space:]]*\([0-9]*\)[[:space:]]*$$/\1/p' $(wildcard ch*-*/chapter.mk) /dev/null | tail -1)
DISK_CHAPTER_OK = $(shell for f in ch*-*/chapter.mk; do n=$${f#ch}; n=$${n%%-*}; [ $$n -le $(CH) ] && grep -q '^TEST_DISK_MB' $$f && echo yes; done | head -1)
DISK_IMAGE := $(BUILD_DIR)/ch$(CH)/disk.img
comma := ,
DISK_ARGS = $(if $(DISK_CHAPTER_OK),-drive file=$(DISK_IMAGE)$(comma)format=raw$(comma)if=none$(comma)id=disk0 -device virtio-blk-device$(comma)drive=disk0)
# A chapter whose chapter.mk says TEST_NICS := n (ch6 on) boots with virtio-net NICs:
#   NET=hub   (default) n NICs on one QEMU hub: the guest talks to itself over the wire,
#             repeatably; nothing leaves QEMU
#   NET=user  one NIC on QEMU's user networking; 127.0.0.1:HOST_PORT on this host is
#             forwarded to the guest's port 80, and the demo serves HTTP there
#   NET=none  no NIC (the stack runs on its loopback interface only)
#   PCAP=file records the first NIC's traffic as a pcap (tcpdump -r file)
NET ?= hub
HOST_PORT ?= 8080
NICS = $(shell sed -n 's/^TEST_NICS[[:space:]]*:*=[[:space:]]*\([0-9]*\)[[:space:]]*$$/\1/p' $(wildcard ch*-*/chapter.mk) /dev/null | tail -1)
NET_CHAPTER_OK = $(shell for f in ch*-*/chapter.mk; do n=$${f#ch}; n=$${n%%-*}; [ $$n -le $(CH) ] && grep -q '^TEST_NICS' $$f && echo yes; done | head -1)
ifeq ($(filter $(NET),hub user none),)
  $(error NET=$(NET): choose hub (NICs on one QEMU hub), user (host-reachable) or none)
endif
ifneq ($(shell [ "$(HOST_PORT)" -ge 1 ] 2>/dev/null && [ "$(HOST_PORT)" -le 65535 ] 2>/dev/null && echo ok),ok)
  $(error HOST_PORT=$(HOST_PORT): choose a TCP port between 1 and 65535)
endif
PCAP_ARGS = $(if $(PCAP),-object filter-dump$(comma)id=dump0$(comma)netdev=nic0$(comma)file=$(abspath $(PCAP)))
HUB_ARGS = $(foreach i,$(shell seq 0 $$(( $(NICS) - 1 ))),-netdev hubport$(comma)id=nic$(i)$(comma)hubid=0 \
    -device virtio-net-device$(comma)netdev=nic$(i)$(comma)mac=52:54:00:12:34:5$(shell printf %x $$(( 6 + $(i) )))) $(PCAP_ARGS)
USER_NET_ARGS = -netdev user$(comma)id=nic0$(comma)restrict=on$(comma)hostfwd=tcp:127.0.0.1:$(HOST_PORT)-:80 \
    -device virtio-net-device$(comma)netdev=nic0$(comma)mac=52:54:00:12:34:56 $(PCAP_ARGS)
NET_ARGS = $(if $(NET_CHAPTER_OK),$(if $(filter hub,$(NET)),$(HUB_ARGS),$(if $(filter user,$(NET)),$(USER_NET_ARGS))))
# With NET=user the demo serves HTTP (unless INIT says otherwise).
ifeq ($(NET),user)
  ifeq ($(value INIT),)
    RUN_ARGS := $(strip $(RUN_ARGS) $(if $(NET_CHAPTER_OK),init=net_demo$(comma)http$(comma)5))
    RUN_APPEND := $(if $(RUN_ARGS),-append '$(subst ','\'',$(RUN_ARGS))')
  endif
endif
run: tools
	@$(KMAKE) -j$(JOBS) CH=$(CH) kernel
	@$(if $(DISK_CHAPTER_OK),[ -f $(DISK_IMAGE) ] || truncate -s $(DISK_MB)M $(DISK_IMAGE))
	@echo "kit: booting chapter $(CH) (QEMU exits when the kernel powers off; Ctrl-C to stop it)$(if $(DISK_CHAPTER_OK), with the disk $(DISK_IMAGE))"
	@$(if $(NET_CHAPTER_OK),echo "kit: network: $(if $(filter hub,$(NET)),$(NICS) NICs on one QEMU hub (NET=user: reachable from this host),$(if $(filter user,$(NET)),QEMU user networking; the guest's port 80 is http://127.0.0.1:$(HOST_PORT)/ here (try: curl http://127.0.0.1:$(HOST_PORT)/),none (NET=none)))$(if $(PCAP),; traffic recorded in $(PCAP))")
	@$(QEMU) $(QEMU_FLAGS) -kernel $(BUILD_DIR)/ch$(CH)/kernel.elf $(NET_ARGS) $(DISK_ARGS) $(RUN_APPEND)

# lwIP's own unit tests come with chapter 6's host port (a handout without ch6 skips them).
# (and only when a chapter tested links lwIP: `make test CH=5` needs no lwIP at all).
LWIP_TESTS := $(if $(shell for f in ch*-*/chapter.mk; do n=$${f#ch}; n=$${n%%-*}; \
    [ $$n -le $(lastword $(TEST_CHAPTERS)) ] && grep -q '^LAYER_LWIP' $$f && echo yes; done | head -1),\
    $(wildcard ch6-tcpserver/lwip/host-port/arch/cc.h))
# make test's builds go through ccache when it is there (mk/toolchain.mk, COPS_CCACHE): the
# kit copies its self-tests build (handouts, grading copies) then reuse these objects.
build-tests: export COPS_CCACHE := $(or $(COPS_CCACHE),$(if $(shell command -v ccache 2>/dev/null),$(ROOT)/$(BUILD_DIR)/ccache))
build-tests: export CCACHE_MAXSIZE := 2G
build-tests: tools
	@for c in $(TEST_CHAPTERS); do $(KMAKE) -j$(JOBS) CH=$$c test-kernel kernel || exit 1; done
	@$(KMAKE) -j$(JOBS) CH=$(lastword $(TEST_CHAPTERS)) unit-tests host-programs
	@$(if $(wildcard $(lastword $(filter ch$(lastword $(TEST_CHAPTERS))-%,$(CHAPTERS)))/bench/server_experiments.cpp),\
	    $(KMAKE) -j$(JOBS) CH=$(lastword $(TEST_CHAPTERS)) bench-kernel)
	@$(KMAKE) -j$(JOBS) CH=1 BUILD=$(ROOT)/$(BUILD_DIR)/selftest selftest-kernel
	@$(if $(LWIP_TESTS),bash mk/fetch-lwip.sh && $(MAKE) --no-print-directory -f mk/lwip-unit.mk -j$(JOBS) || \
	    echo "kit: lwIP's own unit tests are not built (the lines above say why); chapters 1-5 do not need lwIP",true)

# The server's load client as a host program, to drive a guest server through QEMU's
# forwarded port: make run NET=user INIT=matrix_server,kcuc,80,4, then
# build/ch6/host-programs/matrix_client 4 15 100 5000 4 8080
host-client: tools
	@$(KMAKE) -j$(JOBS) CH=$(CH) host-programs
	@found=$$(ls $(BUILD_DIR)/ch$(CH)/host-programs/ 2>/dev/null | grep -v '\.d$$'); \
	if [ -n "$$found" ]; then for p in $$found; do echo "kit: built $(BUILD_DIR)/ch$(CH)/host-programs/$$p"; done; \
	else echo "kit: chapter $(CH) has no host programs (the load client comes with chapter 6: make host-client CH=6)"; fi

test: build-tests
	@$(HARNESS) test --root $(ROOT) --chapters $(TEST_CHAPTERS) \
	    --unit $(BUILD_DIR)/ch$(lastword $(TEST_CHAPTERS))/unit-tests $(if $(LWIP_TESTS),--lwip $(BUILD_DIR)/lwip/lwip-unit-tests)

# Chapter 6's bench also runs the server experiments (ch6-tcpserver/bench/server_experiments.cpp)
# and draws their figures into docs/figures/; SHORT=1 runs their short mode into
# build/ch6/figures-short/ instead. BENCH_ARGS: more kernel command-line words
# (e.g. BENCH_ARGS=bench.only=net/costs, or server.nics=1 for the runs across the NICs).
# SCALING=1: instead, chapter 6's hart-scaling runs on plain QEMU by the wall clock (1, 2
# and 4 harts, 3 runs each; docs/figures/exp5_scaling.csv and fig8_scaling).
# RUNS=k: the server experiments are booted k times (the load client's seeds 1..k, two
# boots at a time) and every figure is their median and range; 3 by default, 1 with SHORT=1.
EXPERIMENTS := $(wildcard $(filter ch$(CH)-%,$(CHAPTERS))/bench/server_experiments.cpp)
BENCH_BOOTARGS := $(strip $(if $(SHORT),bench.only=server/experiments server.mode=1) $(BENCH_ARGS))
BENCH_FIGURES := $(if $(EXPERIMENTS),--figures $(if $(SHORT),$(BUILD_DIR)/ch$(CH)/figures-short,docs/figures))
BENCH_RUNS := $(if $(filter command line environment,$(origin RUNS)),$(RUNS),$(if $(SHORT),1,3))
bench: tools
	@case "$(BENCH_RUNS)" in ''|0|*[!0-9]*) echo "kit: RUNS must be a number of runs from 1 (got '$(BENCH_RUNS)')"; exit 2;; esac
	@$(KMAKE) -j$(JOBS) CH=$(CH) bench-kernel
	@$(if $(EXPERIMENTS),$(if $(SHORT)$(SCALING),,echo "kit: chapter $(CH)'s bench runs the server experiments in full, $(BENCH_RUNS) time(s): about $$(( ($(BENCH_RUNS) + 1) / 2 * 5 )) minutes on 2 host cores, two boots at a time (SHORT=1: under a minute; RUNS=k: k runs a point)"))
	@$(HARNESS) bench --root $(ROOT) --chapter $(CH) --csv $(BUILD_DIR)/ch$(CH)/bench.csv \
	    $(if $(BENCH_BOOTARGS),--bootargs '$(BENCH_BOOTARGS)') $(BENCH_FIGURES) $(if $(SCALING),--scaling) \
	    $(if $(EXPERIMENTS),$(if $(SCALING),,--runs $(BENCH_RUNS)))

grade: tools
	@$(GRADER) grade --chapter $(CH) $(if $(SUBMISSION),--submission $(abspath $(SUBMISSION)))

gradescope: tools
	@$(GRADER) gradescope --chapter $(CH)

# The board port runs the chapter its fpga/layer.mk names as PARENT (the newest one).
FPGA_CH = $(patsubst ch%,%,$(firstword $(subst -, ,$(shell sed -n 's/^PARENT *:= *//p' fpga/layer.mk 2>/dev/null))))
fpga-image: tools
	@[ -f fpga/layer.mk ] || { echo "kit: this kit has no fpga/ (a handout of an earlier chapter)"; exit 1; }
	@$(KMAKE) -j$(JOBS) CH=$(FPGA_CH) kernel
	@CROSS_COMPILE=$(CROSS_COMPILE) bash fpga/make-image.sh $(BUILD_DIR)/ch$(FPGA_CH)/kernel.elf $(BUILD_DIR)/fpga

OUT ?= handout/ch$(CH)
handout: tools
	@$(GRADER) handout --chapter $(CH) --out $(abspath $(OUT)) $(if $(ONLY),--only)

# make gdb: QEMU waits for GDB on localhost:1234; IMAGE=test debugs the test kernel,
# KTEST=name runs only that test in it.
IMAGE ?= $(if $(KTEST),test,kernel)
GDB_ELF = $(BUILD_DIR)/ch$(CH)/$(if $(filter test,$(IMAGE)),test-kernel,kernel).elf
gdb: tools
	@$(KMAKE) -j$(JOBS) CH=$(CH) $(if $(filter test,$(IMAGE)),test-kernel,kernel)
	@printf 'set confirm off\nset architecture riscv:rv64\nfile %s\ntarget remote localhost:1234\nbreak kernel_boot\necho \\nkit: stopped before the firmware. `continue` runs to kernel_boot; `bt`, `info registers`, `x/8i $$pc` help.\\n\n' \
	    "$(abspath $(GDB_ELF))" > .gdbinit
	@echo "kit: starting QEMU paused (GDB server on :1234); quit gdb to stop it"
	@$(if $(DISK_CHAPTER_OK),[ -f $(DISK_IMAGE) ] || truncate -s $(DISK_MB)M $(DISK_IMAGE))
	@$(QEMU) $(QEMU_FLAGS) -kernel $(GDB_ELF) $(NET_ARGS) $(DISK_ARGS) $(if $(KTEST),-append "nonce=gdb ktest.only=$(KTEST)") -s -S & qemu=$$!; \
	    gdb-multiarch -q -x .gdbinit; kill $$qemu 2>/dev/null; wait $$qemu 2>/dev/null; true

# make fuzz [CALLS=n] [SEED=s]: the seeded system-call fuzzer (chapter 4 on), on 1 hart and
# on 4: the kernel stays alive, a bystander process intact, memory back at its start.
# `make test` runs a short run of the same test (6000 calls).
CALLS ?= 200000
SEED ?= 1
FUZZ_TEST := fuzz/seeded-system-calls-leave-the-kernel-and-a-bystander-intact
fuzz: tools
	@[ "$(CH)" -ge 4 ] || { echo "kit: make fuzz needs chapter 4 or later (it fuzzes ch3's and ch4's calls); CH=$(CH)"; exit 2; }
	@$(KMAKE) -j$(JOBS) CH=$(CH) test-kernel
	@for smp in 1 4; do echo "kit: fuzzing with $(CALLS) calls, seed $(SEED), $$smp hart(s)"; \
	    $(HARNESS) ktest $(BUILD_DIR)/ch$(CH)/test-kernel.elf --chapter $(CH) --smp $$smp --only $(FUZZ_TEST) \
	        --bootargs "fuzz.calls=$(CALLS) fuzz.seed=$(SEED)" --budget-scale 100 || exit 1; done

# Races on real parallel harts: the chapters' STRESS_TESTS, RUNS times each, on
# multi-threaded QEMU without -icount (harness/stress.py). ONLY=name: one test.
RUNS ?= 5
stress: tools
	@case "$(RUNS)" in ''|*[!0-9]*) echo "kit: RUNS must be a number of runs (got '$(RUNS)')"; exit 2;; esac
	@$(KMAKE) -j$(JOBS) CH=$(CH) test-kernel
	@$(HARNESS) stress --root $(ROOT) --chapter $(CH) --runs $(RUNS) $(if $(ONLY),--only $(ONLY))

docs:
	@command -v doxygen >/dev/null || $(MAKE) tools
	@mkdir -p $(BUILD_DIR)/docs
	@doxygen docs/Doxyfile > $(BUILD_DIR)/docs/doxygen.log 2> $(BUILD_DIR)/docs/warnings.log; \
	    if [ -s $(BUILD_DIR)/docs/warnings.log ]; then cat $(BUILD_DIR)/docs/warnings.log; echo "kit: doxygen warnings (above)"; exit 1; fi
	@echo "kit: docs in $(BUILD_DIR)/docs/html/index.html"

# Formatting with the kit's .clang-format (Debian package clang-format).
FORMAT_FILES = $(shell git ls-files '*.cpp' '*.hpp' 2>/dev/null)
format:
	@command -v clang-format >/dev/null || { echo "kit: clang-format not found: apt-get install clang-format"; exit 1; }
	@clang-format --style=file -i $(FORMAT_FILES) && echo "kit: formatted $(words $(FORMAT_FILES)) files"
format-check:
	@command -v clang-format >/dev/null || { echo "kit: clang-format not found: apt-get install clang-format"; exit 1; }
	@bad=0; for f in $(FORMAT_FILES); do clang-format --style=file "$$f" | cmp -s "$$f" - || { echo "needs formatting: $$f"; bad=1; }; done; \
	    [ $$bad = 0 ] && echo "kit: all $(words $(FORMAT_FILES)) files formatted" || { echo "kit: run 'make format'"; exit 1; }

compile_commands.json:
	@$(PYTHON) mk/compile_commands.py $(ROOT) $(CH) > $@
	@echo "kit: wrote $@ for chapter $(CH)"

clean:
	rm -rf $(BUILD_DIR) compile_commands.json .gdbinit
