#!/usr/bin/env bash
# Grades the reference solution for chapter N the way Gradescope's default container
# would run it: on one core (taskset -c 0) inside a memory cgroup capped at 1.5 GiB
# (cgroup v1, as root). Prints the wall time, the cgroup's peak memory (page cache
# included) and how often the cap was hit.
#   usage: sudo bash grader/measure_container.sh N [MiB]
set -u
ch=${1:?usage: grader/measure_container.sh CHAPTER [MEMORY_MIB]}
mib=${2:-1536}
root=$(cd "$(dirname "$0")/.." && pwd)
cg=/sys/fs/cgroup/memory/cops-grade-$ch
if ! mkdir -p "$cg" 2>/dev/null || [ ! -w "$cg/memory.limit_in_bytes" ]; then
    echo "measure: needs root and a cgroup v1 memory controller at /sys/fs/cgroup/memory" >&2
    exit 2
fi
echo $((mib * 1024 * 1024)) > "$cg/memory.limit_in_bytes"
echo 0 > "$cg/memory.max_usage_in_bytes"
out=$(mktemp -d)
start=$(date +%s)
bash -c "echo \$\$ > $cg/cgroup.procs; cd '$root'; exec taskset -c 0 env PYTHONPATH='$root' python3 -m grader \
    --root '$root' grade --chapter $ch --submission '$root' --out '$out'" > "$out/log" 2>&1
code=$?
echo "chapter $ch: exit $code, $(( $(date +%s) - start )) s on one core," \
     "peak $(( $(cat "$cg/memory.max_usage_in_bytes") / 1048576 )) MiB of $mib, cap hit $(cat "$cg/memory.failcnt") times"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('score', d['score'], 'of', sum(t['max_score'] for t in d['tests']))" \
    "$out/results.json" 2>/dev/null || tail -5 "$out/log"
rm -rf "$out"
rmdir "$cg" 2>/dev/null || true
