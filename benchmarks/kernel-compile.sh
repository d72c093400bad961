#!/usr/bin/env bash
# Full-config kernel compiles from Debian's linux-source with our defconfigs, for amd64 and arm64:
#   clean   - empty build folder, empty ccache
#   warm    - empty build folder, ccache filled by the clean run
#   no-op   - nothing changed: the stage is skipped
# and the sizes of vmlinuz and the modules tree, against the reference system's ~9.5 MB amd64 vmlinuz.
# Usage: benchmarks/kernel-compile.sh [amd64] [arm64]   (plugin installed first: ./mvnw -Dcaptain.bootstrap install)
set -euo pipefail
cd "$(dirname "$0")/.."
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(amd64 arm64)
work=$(mktemp -d /tmp/captainos-bench.XXXXXX)
export CCACHE_DIR="$work/ccache"
reference_vmlinuz=9500000

run() { # arch, extra args...; prints seconds
  local arch=$1; shift
  local start end
  start=$(date +%s.%N)
  ./mvnw -B -q install -pl captainos-kernel -Dcaptain.arch="$arch" -Dcaptain.buildDir="$work/build" \
    -Dcaptain.outDir="$work/out" -Dcaptain.kernel.ccache=true "$@" > "$work/log-$arch-$(date +%s%N).txt" 2>&1
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

printf '%-8s %10s %10s %10s %12s %12s %10s\n' arch clean_s warm_s noop_s vmlinuz_B modules_B vs_ref
for arch in "${arches[@]}"; do
  case $arch in amd64) oarch=x86_64 ;; arm64) oarch=aarch64 ;; *) echo "unknown arch $arch" >&2; exit 2 ;; esac
  rm -rf "$CCACHE_DIR" "$work/build/kernel/$oarch"
  clean=$(run "$arch")
  rm -rf "$work/build/kernel/$oarch"
  warm=$(run "$arch")
  noop=$(run "$arch")
  vmlinuz=$(stat -c %s "$work/build/kernel/$oarch/vmlinuz")
  modules=$(stat -c %s "$work/build/kernel/$oarch/modules-$oarch.tar.zst")
  ratio=$(echo "scale=2; $vmlinuz / $reference_vmlinuz" | bc)
  printf '%-8s %10.0f %10.0f %10.1f %12d %12d %9sx\n' "$arch" "$clean" "$warm" "$noop" "$vmlinuz" "$modules" "$ratio"
  echo "  warm/clean = $(echo "scale=3; $warm / $clean" | bc), no-op/clean = $(echo "scale=4; $noop / $clean" | bc)"
  if [ -s "$work/build/kernel/$oarch/dropped-symbols.txt" ]; then
    echo "  symbols olddefconfig dropped ($(wc -l < "$work/build/kernel/$oarch/dropped-symbols.txt")):"
    sed 's/^/    /' "$work/build/kernel/$oarch/dropped-symbols.txt"
  fi
done
echo "work folder (logs, outputs): $work"
