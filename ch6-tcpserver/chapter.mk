# Chapter 6 — networking: a virtio-net driver, lwIP 2.1.3 in the kernel (raw API,
# NO_SYS) driven by the network coroutine, and TCP sockets as system calls in sync
# and async forms.
PARENT := ch5-uintr

LAYER_KERNEL := \
    kernel/net/lwip_port.cpp \
    kernel/net/virtio_net.cpp \
    kernel/net/stack.cpp \
    kernel/net/socket.cpp \
    kernel/net/syscalls_net.cpp \
    kernel/net/io_models.cpp

# `make run` starts this chapter's demo program (the top layer's file wins).
LAYER_FIRST_PROGRAM := kernel/net/first_program.cpp

# lwIP's sources (relative to its src/ folder), fetched by mk/fetch-lwip.sh and
# compiled freestanding with this layer's lwip/kernel-port/ (lwipopts.h, arch/cc.h).
LAYER_LWIP := \
    core/init.c core/def.c core/inet_chksum.c core/ip.c core/mem.c core/memp.c \
    core/netif.c core/pbuf.c core/stats.c core/sys.c core/tcp.c core/tcp_in.c \
    core/tcp_out.c core/timeouts.c core/udp.c \
    core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c core/ipv4/ip4_addr.c \
    netif/ethernet.c
LAYER_LWIP_PORT := lwip/kernel-port

LAYER_KTESTS := $(patsubst $(ROOT)/ch6-tcpserver/%,%,$(wildcard $(ROOT)/ch6-tcpserver/tests/kernel/*.cpp))
LAYER_BENCH := $(patsubst $(ROOT)/ch6-tcpserver/%,%,$(wildcard $(ROOT)/ch6-tcpserver/bench/*.cpp))
LAYER_UNIT := $(patsubst $(ROOT)/ch6-tcpserver/%,%,$(wildcard $(ROOT)/ch6-tcpserver/tests/unit/*.cpp))

LAYER_USER_PROGRAMS := $(patsubst $(ROOT)/ch6-tcpserver/%,%,$(wildcard $(ROOT)/ch6-tcpserver/user/programs/*.cpp))
# The load client is one source in two places: a guest program (above) and a host
# program (`make host-client`), against cops/user/load_platform.hpp or host/host_load_platform.hpp.
LAYER_HOST_PROGRAMS := user/programs/matrix_client.cpp
# The socket calls in the system-call fuzzer's table (ch4's fuzz_calls.hpp).
LAYER_USER_LIB := user/lib/fuzz_calls_net.cpp
# ch2's semaphore (under its channel) in the user library too: the server's per-connection
# queues are user-space coroutine channels.
LAYER_USER_SHARED := ch2-kernel-coroutines/kernel/sync/semaphore.cpp

# The test kernel boots with four harts (the harness reads this line).
TEST_SMP := 4
# Boots of this chapter get this many virtio-net NICs on one QEMU hub (the
# repeatable setup: frames cross the real driver, timing is the guest's own).
TEST_NICS := 2

# What a student may change for this chapter.
STUDENT_FILES := \
    kernel/net/virtio_net.cpp \
    kernel/net/socket.cpp \
    user/programs/matrix_server.cpp
