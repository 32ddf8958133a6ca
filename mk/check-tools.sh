#!/usr/bin/env bash
# Checks every tool the kit needs and installs what is missing.
#
# As root it installs missing Debian packages with apt-get; otherwise it prints
# the one command to run. Exit status 0 only when everything is usable.
# Usage: mk/check-tools.sh [--quiet]
# COPS_TOOLS_NO_INSTALL=1: check only, never install (the Gradescope grader checks
# its image before each submission, where installing is not its job).
# COPS_TOOLS_FOR=grading: only what grading needs (the cross compiler, QEMU, OpenSBI,
# picolibc, dtc, make, python3), as on a Gradescope image.
set -u

CROSS_COMPILE=${CROSS_COMPILE:-riscv64-linux-gnu-}
QEMU=${QEMU:-qemu-system-riscv64}
OPENSBI=${OPENSBI:-/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin}
PICOLIBC=${PICOLIBC:-/usr/lib/picolibc/riscv64-unknown-elf/lib/rv64imafdc/lp64d/libc.a}
quiet=${1:-}

missing=()      # Debian packages to install
problems=()     # human-readable explanations

need_cmd() {    # need_cmd COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 || { missing+=("$2"); problems+=("'$1' not found (Debian package $2)"); }
}
need_file() {   # need_file PATH PACKAGE
  [ -e "$1" ] || { missing+=("$2"); problems+=("'$1' not found (Debian package $2)"); }
}

scan() {
  missing=(); problems=()
  if [ "$CROSS_COMPILE" = "riscv64-linux-gnu-" ]; then
    need_cmd riscv64-linux-gnu-g++ g++-riscv64-linux-gnu
  elif ! command -v "${CROSS_COMPILE}g++" >/dev/null 2>&1; then
    problems+=("CROSS_COMPILE=$CROSS_COMPILE but '${CROSS_COMPILE}g++' is not on PATH: fix PATH or unset CROSS_COMPILE")
  fi
  need_cmd "$QEMU" qemu-system-misc
  need_file "$OPENSBI" opensbi
  need_file "$PICOLIBC" picolibc-riscv64-unknown-elf
  need_cmd make make
  need_cmd python3 python3
  need_cmd dtc device-tree-compiler
  # Grading builds and boots test kernels only: the rest serves make test, make bench,
  # make gdb and make docs (COPS_TOOLS_FOR=grading skips it, e.g. in run_autograder).
  [ "${COPS_TOOLS_FOR:-}" = grading ] && return
  need_file /usr/include/catch2/catch.hpp catch2
  need_file /usr/include/check.h check                # lwIP's own unit tests (ch6)
  need_cmd tcpdump tcpdump                            # ch6: decodes the guest's pcap in a test
  need_cmd curl curl                                  # ch6: the host's HTTP client in a test
  need_cmd gnuplot gnuplot-nox                        # ch6: the server experiments' figures (make bench CH=6)
  need_cmd pkg-config pkg-config
  need_cmd g++ g++
  need_cmd gdb-multiarch gdb-multiarch
  need_cmd ccache ccache                              # make test: the kit copies its self-tests build share objects
  need_cmd doxygen doxygen
  need_cmd dot graphviz
}

scan
if [ ${#missing[@]} -gt 0 ]; then
  # shellcheck disable=SC2207
  pkgs=($(printf '%s\n' "${missing[@]}" | sort -u))
  if [ "$(id -u)" = 0 ] && [ "${COPS_TOOLS_NO_INSTALL:-}" != 1 ] && command -v apt-get >/dev/null 2>&1; then
    echo "kit: installing missing Debian packages: ${pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends "${pkgs[@]}" >/tmp/cops-apt.log 2>&1; then
      apt-get update >>/tmp/cops-apt.log 2>&1
      apt-get install -y --no-install-recommends "${pkgs[@]}" >>/tmp/cops-apt.log 2>&1 ||
        { echo "kit: error: apt-get install failed; see /tmp/cops-apt.log" >&2; exit 1; }
    fi
    scan
  fi
fi
if [ ${#problems[@]} -gt 0 ]; then
  echo "kit: error: the kit needs tools that are missing:" >&2
  printf '  - %s\n' "${problems[@]}" >&2
  if [ ${#missing[@]} -gt 0 ]; then
    echo "kit: run this once, then try again:" >&2
    echo "  sudo apt-get install -y $(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')" >&2
  fi
  exit 1
fi

# Versions: GCC >= 12 (C++20 coroutines freestanding), QEMU >= 7.2 (virt machine, icount).
version_of() { "$@" 2>/dev/null | head -n1 | grep -oE '[0-9]+\.[0-9]+(\.[0-9]+)?' | head -n1; }
at_least() {  # at_least HAVE WANT
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}
gccv=$(version_of "${CROSS_COMPILE}g++" -dumpfullversion)
[ -n "$gccv" ] || gccv=$(version_of "${CROSS_COMPILE}g++" --version)
if ! at_least "$gccv" 12; then
  echo "kit: error: ${CROSS_COMPILE}g++ is version $gccv; the kit needs 12 or newer (Debian 12: apt-get install g++-riscv64-linux-gnu)" >&2
  exit 1
fi
qemuv=$(version_of "$QEMU" --version)
if ! at_least "$qemuv" 7.2; then
  echo "kit: error: $QEMU is version $qemuv; the kit needs 7.2 or newer (Debian 12: apt-get install qemu-system-misc)" >&2
  exit 1
fi
[ "$quiet" = --quiet ] || echo "kit: tools ok (${CROSS_COMPILE}g++ $gccv, qemu $qemuv, $(basename "$OPENSBI"))"
exit 0
