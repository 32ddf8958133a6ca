# The board port: the paper's FPGA platform (fpga/README.md). A layer on the newest
# chapter, loaded with it (mk/layers.mk): its drivers are probed from the device tree,
# so the one chapter-6 kernel boots both QEMU virt and the board.
PARENT := ch6-tcpserver

# Also compiled for the host unit tests (against the register-level models).
LAYER_PORTABLE := \
    kernel/net/axi_ethernet.cpp \
    kernel/net/axi_nic.cpp \
    kernel/board_tree.cpp

LAYER_KERNEL := \
    kernel/net/axi_probe.cpp

LAYER_UNIT := $(patsubst $(ROOT)/fpga/%,%,$(wildcard $(ROOT)/fpga/tests/unit/*.cpp))
