#!/usr/bin/env bash
# Alternate decode-speed runs of two llama-cpp-python installs on one GGUF.
#   packaging/compare_decode.sh MODEL.gguf NATIVE_PY PORTABLE_PY [ROUNDS] [THREADS]
# Prints one JSON line per run (see bench_decode.py), tagged native/portable.
set -euo pipefail
model="$1"; native="$2"; portable="$3"; rounds="${4:-3}"; threads="${5:-2}"
here="$(cd "$(dirname "$0")" && pwd)"
unset SOURCE_DATE_EPOCH
for i in $(seq 1 "$rounds"); do
  for kind in native portable; do
    py="$native"; [ "$kind" = portable ] && py="$portable"
    printf '%s %s ' "$kind" "$i"
    "$py" "$here/bench_decode.py" "$model" --threads "$threads" --tokens 64 2>/dev/null
  done
done
