#!/bin/bash
# vdso_check.sh VDSO.elf CROSS_COMPILE OBJ...
# Fails (with the reason) unless the shared scheduler blob can run at any address
# and in every process: no variables of its own, and in its code and constants only
# relocations that are relative to the code itself.
set -euo pipefail
elf=$1
cross=$2
shift 2
fail() {
    echo "kit: error: the shared scheduler blob: $1" >&2
    echo "kit: it is mapped at different addresses in the kernel and in each process, read-only;" >&2
    echo "kit: keep the executor's state in the Executor object and call nothing outside executor.cpp." >&2
    exit 1
}
data_hex=$("${cross}readelf" -S -W "$elf" | awk '$2 == ".data" { print $6 }')
data_size=$((16#${data_hex:-0}))
if [ "$data_size" != 0 ]; then
    syms=$("${cross}nm" "$elf" | awk '$2 ~ /^[dDbBsSgG]$/ { print $3 }' | head -5 | tr '\n' ' ')
    fail "it has $data_size bytes of variables ($syms); a global or static variable is not allowed"
fi
if "${cross}readelf" -S -W "$elf" | grep -q '\.got'; then
    fail "it uses a global offset table (a symbol that is not hidden)"
fi
# Relocation types that stay right wherever the blob is placed.
allowed='R_RISCV_(PCREL_HI20|PCREL_LO12_I|PCREL_LO12_S|CALL|CALL_PLT|BRANCH|JAL|RVC_BRANCH|RVC_JUMP|RELAX|ALIGN|ADD[0-9]+|SUB[0-9]+|SET_ULEB128|SUB_ULEB128)$'
for obj in "$@"; do
    bad=$("${cross}readelf" -r -W "$obj" | awk '
        /^Relocation section/ { sec = $3; gsub(/\x27/, "", sec); next }
        sec ~ /^\.rela\.(text|rodata|srodata)/ && $3 ~ /^R_RISCV_/ { print $3 " -> " $5 " (" sec ")" }' |
        awk -v ok="$allowed" '{ split($0, f, " "); if (f[1] !~ ok) print }')
    if [ -n "$bad" ]; then
        fail "$(basename "$obj") needs absolute addresses: $(echo "$bad" | head -3 | tr '\n' ';')"
    fi
done
