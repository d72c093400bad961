#!/usr/bin/env bash
# The tools bundle from Debian's source (the default: containerd with ctr in one binary and the runc shim, compiled
# without the CRI plugin) against the one from Debian's binary packages, built in the same run in folders of their own: the stage's
# wall time (the second build of each is forced, so Go's build cache is warm, as in any build after the first), the
# size of each binary unpacked and as the image's zstd packs it (level 19, 128 MiB window; a link counts 0), and the start cost of
# each containerd binary: "--version" run natively and under qemu-user's TCG (a TCG guest translates a program's code
# the first time it runs it, as in the QEMU boots), medians of N runs, ratios source / packages.
# Usage: benchmarks/tools-source.sh [N]   (default 11)
# Needs: zstd, qemu-user (qemu-x86_64 or qemu-aarch64 for this host), bc; the plugin installed
# (./mvnw -Dcaptain.bootstrap install, or ./mvnw install once).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-11}
case "$(uname -m)" in
  x86_64) qemu=qemu-x86_64 linux=x86_64 ;;
  aarch64) qemu=qemu-aarch64 linux=aarch64 ;;
  *) echo "amd64 or arm64 hosts only" >&2; exit 2 ;;
esac
for p in zstd bc "$qemu"; do
  command -v "$p" > /dev/null || { echo "$p is not installed (apt-get install zstd bc qemu-user)" >&2; exit 2; }
done
work=target/bench-tools
mkdir -p "$work"
work=$(realpath "$work")

now() { date +%s.%N; }
# build SOURCE FORCE: the tools stage alone, in its own build folder; prints its wall time
build() {
  local s e
  s=$(now)
  ./mvnw -B -q package -pl captainos-tools -Dcaptain.tools.source="$1" -Dcaptain.tools.force="$2" \
    -Dcaptain.buildDir="$work/build-$1" -Dcaptain.outDir="$work/out-$1" -DskipTests > "$work/build-$1.log" 2>&1 \
    || { echo "the $1 build failed: see $work/build-$1.log" >&2; exit 1; }
  e=$(now)
  echo "$e - $s" | bc
}
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# start COMMAND...: median wall milliseconds of N runs of "COMMAND --version"
start() {
  local i s e
  for i in $(seq "$runs"); do
    s=$(now)
    "$@" --version > /dev/null 2>&1
    e=$(now)
    echo "($e - $s) * 1000" | bc
  done | median
}
ratio() { echo "scale=2; $1 / $2" | bc | sed 's/^\./0./'; }

declare -A first second
for source in debian debian-source; do
  first[$source]=$(build "$source" false)
  second[$source]=$(build "$source" true)
  rm -rf "$work/root-$source"
  mkdir -p "$work/root-$source"
  tar --zstd -xf "$work/build-$source/tools/$linux/captainos-tools-$linux.tar.zst" -C "$work/root-$source"
done

echo "tools stage, $(nproc) cores          debian  debian-source   ratio"
printf '%-32s %8.1f %14.1f %7s\n' "first build, s (cold caches once)" "${first[debian]}" "${first[debian-source]}" \
  "$(ratio "${first[debian-source]}" "${first[debian]}")"
printf '%-32s %8.1f %14.1f %7s\n' "forced rebuild, s" "${second[debian]}" "${second[debian-source]}" \
  "$(ratio "${second[debian-source]}" "${second[debian]}")"
echo
echo "binary, MB (zstd -19 --long=27)         debian       debian-source   ratio"
# A link (debian-source's ctr is containerd under another name) weighs nothing of its own.
bytes() { if [ -L "$1" ]; then echo 0; else stat -c %s "$1"; fi; }
zbytes() { if [ -L "$1" ]; then echo 0; else zstd -19 --long=27 -T1 -q -c "$1" | wc -c; fi; }
td=0; ts=0; tdz=0; tsz=0
for b in usr/local/bin/containerd usr/local/bin/ctr usr/local/bin/containerd-shim-runc-v2 total; do
  if [ "$b" = total ]; then
    d=$td; s=$ts; dz=$tdz; sz=$tsz
  else
    d=$(bytes "$work/root-debian/$b"); s=$(bytes "$work/root-debian-source/$b")
    dz=$(zbytes "$work/root-debian/$b"); sz=$(zbytes "$work/root-debian-source/$b")
    td=$((td + d)); ts=$((ts + s)); tdz=$((tdz + dz)); tsz=$((tsz + sz))
  fi
  printf '%-32s %6.1f (%5.1f) %9.1f (%5.1f) %7s\n' "${b##*/}" "$(echo "$d / 1000000" | bc -l)" \
    "$(echo "$dz / 1000000" | bc -l)" "$(echo "$s / 1000000" | bc -l)" "$(echo "$sz / 1000000" | bc -l)" \
    "$(ratio "$s" "$d")"
done
echo
echo "containerd --version, ms ($runs runs, median)  debian  debian-source   ratio"
for how in native "$qemu"; do
  if [ "$how" = native ]; then pre=(); else pre=("$qemu"); fi
  d=$(start "${pre[@]}" "$work/root-debian/usr/local/bin/containerd")
  s=$(start "${pre[@]}" "$work/root-debian-source/usr/local/bin/containerd")
  printf '%-40s %8.0f %14.0f %7s\n' "$how" "$d" "$s" "$(ratio "$s" "$d")"
done
