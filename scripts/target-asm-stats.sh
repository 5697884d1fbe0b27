#!/usr/bin/env bash
# Counts the int8 multiply instructions in the assembly of the hot kernels, per target, and
# the innermost loops that use them and whether any of those spills a register
# (scripts/asm-inner-loops.awk): the tables of docs/targets.md. Runs the generators of a host build (default build/) with
# `-e assembly` for every target below; writes the listings to $OUT (default /tmp/winoq-asm).
#   scripts/target-asm-stats.sh [host build dir]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
OUT=${OUT:-/tmp/winoq-asm}
mkdir -p "$OUT"
targets=(
  "avx512_vnni x86-64-linux-avx-avx2-avx512-avx512_cannonlake-avx512_sapphirerapids-avx512_skylake-f16c-fma-sse41"
  "avx2 x86-64-linux-avx-avx2-f16c-fma-sse41"
  "sse41 x86-64-linux-sse41"
  "arm_dot_prod arm-64-linux-arm_dot_prod"
  "arm64 arm-64-linux"
)
# name generator generator-name params (the same as generators/CMakeLists.txt)
kernels=(
  "winoq_conv_f43 winoq_winograd_conv.generator winoq_winograd_conv variant=f43"
  "winoq_conv_cf43 winoq_winograd_conv.generator winoq_winograd_conv variant=cf43"
  "winoq_direct_k3_s1 winoq_direct_conv.generator winoq_direct_conv kernel=3 stride=1 residual=false"
)
insns=(vpdpbusd vpmaddubsw vpmaddwd pmaddubsw pmaddwd sdot smull smull2 smlal smlal2 sadalp)
# The reduction instruction of each target's GEMM inner loops (arm64: sadalp, since its smull also
# does the 64-bit multiplies of the requantization epilogues).
declare -A dot=([avx512_vnni]=vpdpbusd [avx2]=vpmaddwd [sse41]=pmaddwd [arm_dot_prod]=sdot [arm64]=sadalp)
printf '| target | kernel |'; for i in "${insns[@]}"; do printf ' %s |' "$i"; done; echo ' inner loops (spilling) |'
printf '|---|---|'; for _ in "${insns[@]}"; do printf -- '---:|'; done; echo '---:|'
for t in "${targets[@]}"; do
  read -r tname tstr <<<"$t"
  for k in "${kernels[@]}"; do
    read -r kname gen gname params <<<"$k"
    dir="$OUT/$tname"
    mkdir -p "$dir"
    # shellcheck disable=SC2086
    "$BUILD/bin/$gen" -g "$gname" -f "$kname" -n "$kname" -e assembly -o "$dir" target="$tstr-no_runtime" $params
    printf '| %s | %s |' "$tname" "$kname"
    for i in "${insns[@]}"; do printf ' %s |' "$(grep -cE "^[[:space:]]+$i[[:space:]]" "$dir/$kname.s" || true)"; done
    loops=$(awk -v insn="${dot[$tname]}" -f scripts/asm-inner-loops.awk "$dir/$kname.s")
    loops=${loops#loops=}
    printf ' %s (%s) |\n' "${loops%% *}" "${loops##*spilling=}"
  done
done
