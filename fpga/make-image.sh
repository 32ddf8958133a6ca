#!/bin/bash
# The FPGA board's boot image (fpga/README.md, "Bring-up"): what the board's loader
# puts in its memory before it lets the harts run.
#
#   fw_jump.bin       Debian's OpenSBI 1.1 (generic platform), run at 0x80000000
#   kernel.bin        the chapter-6 kernel as a flat binary, run at 0x80200000
#   cops-zcu102.dtb   the board's device tree (fpga/board/cops-zcu102.dts)
#   load-map.txt      where each goes, what a0/a1 must hold, and their sha256
#
# Usage: fpga/make-image.sh KERNEL_ELF OUT_DIR  (make fpga-image runs it)
set -euo pipefail

kernel_elf=${1:?usage: fpga/make-image.sh KERNEL_ELF OUT_DIR}
out=${2:?usage: fpga/make-image.sh KERNEL_ELF OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
cross=${CROSS_COMPILE:-riscv64-linux-gnu-}
fw_jump=${FW_JUMP:-/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin}

# Debian's generic fw_jump copies the tree it is handed (a1) to this address and
# passes that to the kernel: the kernel, BSS and boot stacks included, must end below.
readonly kFirmware=0x80000000 kKernel=0x80200000 kTreeForKernel=0x82200000 kTreeForFirmware=0x88000000

fail() { echo "fpga: error: $*" >&2; exit 1; }
for tool in dtc "${cross}objcopy" "${cross}nm" sha256sum; do
    command -v "$tool" >/dev/null || fail "$tool not found (make tools installs it)"
done
[ -f "$fw_jump" ] || fail "$fw_jump not found: apt-get install opensbi (or FW_JUMP=<your fw_jump.bin>)"
[ -f "$kernel_elf" ] || fail "$kernel_elf not found: build it with make fpga-image"

end=$("${cross}nm" "$kernel_elf" | awk '$3 == "__kernel_end" { print $1 }')
[ -n "$end" ] || fail "$kernel_elf has no __kernel_end symbol"
if (( 0x$end > kTreeForKernel )); then
    fail "the kernel ends at 0x$end, past 0x$(printf %x $kTreeForKernel) where OpenSBI puts the device tree: " \
         "fewer user programs in the image, or an OpenSBI built with a higher FW_JUMP_FDT_ADDR"
fi

mkdir -p "$out"
cp "$fw_jump" "$out/fw_jump.bin"
"${cross}objcopy" -O binary "$kernel_elf" "$out/kernel.bin"
dtc -q -I dts -O dtb -o "$out/cops-zcu102.dtb" "$here/board/cops-zcu102.dts"

{
    echo "# COPS on the ZCU102 board: load these into the board's memory, then release the harts."
    echo "# Every hart starts at 0x$(printf %x $kFirmware) with a0 = its hart id and a1 = the tree's address."
    printf "%-18s %-12s %10s  %s\n" file address bytes sha256
    for f in fw_jump.bin:$kFirmware kernel.bin:$kKernel cops-zcu102.dtb:$kTreeForFirmware; do
        name=${f%%:*}
        printf "%-18s 0x%-10x %10d  %s\n" "$name" "${f##*:}" "$(stat -c %s "$out/$name")" \
            "$(sha256sum "$out/$name" | cut -d' ' -f1)"
    done
    echo "# OpenSBI copies the tree to 0x$(printf %x $kTreeForKernel) and enters the kernel at 0x$(printf %x $kKernel) in S-mode"
    echo "# with a1 = 0x$(printf %x $kTreeForKernel);"
    echo "# the kernel (with BSS) ends at 0x$end."
} > "$out/load-map.txt"
echo "fpga: boot image in $out:"
sed 's/^/  /' "$out/load-map.txt"
