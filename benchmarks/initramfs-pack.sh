#!/usr/bin/env bash
# Our CPIO packer against the reference pipeline (find . | sort | cpio -o -H newc | zstd -19 -T0) on the same
# image tree, in the same run: wall time and size of each, and ours as ratios of the reference.
# Usage: benchmarks/initramfs-pack.sh [image folder]
#   default folder: build/initramfs/x86_64/mkosi-out/image (left by ./mvnw install)
# Needs: cpio, zstd; the plugin built (./mvnw -Dcaptain.bootstrap install).
set -euo pipefail
cd "$(dirname "$0")/.."
tree=$(realpath "${1:-build/initramfs/x86_64/mkosi-out/image}")
[ -d "$tree" ] || { echo "no image tree at $tree: build the initramfs first (./mvnw install)" >&2; exit 2; }
for p in cpio zstd; do
  command -v "$p" > /dev/null || { echo "$p is not installed (apt-get install $p)" >&2; exit 2; }
done
work=$(mktemp -d /tmp/captainos-pack.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp=$work/classpath
./mvnw -B -q -Dcaptain.bootstrap -pl captain-maven-plugin dependency:build-classpath -Dmdep.outputFile="$cp" \
  -Dmdep.includeScope=runtime > /dev/null
classpath="$PWD/captain-maven-plugin/target/classes:$(cat "$cp")"
[ -d captain-maven-plugin/target/classes/io ] || ./mvnw -B -q -Dcaptain.bootstrap -pl captain-maven-plugin compile
clamp=$(date -d 2026-01-01T00:00:00Z +%s)

seconds() { local s e; s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }
reference() { (cd "$tree" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | zstd -19 -T0 -q > "$work/ref.cpio.zst"); }
ours() { java -cp "$classpath" io.captainos.core.archive.NewcCpio "$tree" "$work/$1.cpio.zst" "$2" "$3" "$clamp"; }

echo "tree: $tree ($(du -sb "$tree" | cut -f1) bytes, $(find "$tree" | wc -l) entries), $(nproc) cores"
ref_s=$(seconds reference)
ref_b=$(stat -c %s "$work/ref.cpio.zst")
printf '%-34s %9s %12s %8s %8s\n' packer seconds bytes time_x size_x
printf '%-34s %9.1f %12d %8s %8s\n' "reference cpio | zstd -19 -T0" "$ref_s" "$ref_b" 1.00 1.00
# 19/27 is the build's default; 22/27 is the strongest level at the same 128 MiB window the kernel allocates at boot.
for variant in "19 0" "19 27" "22 27" "12 0" "3 0"; do
  set -- $variant
  s=$(seconds ours "l$1w$2" "$1" "$2")
  b=$(stat -c %s "$work/l$1w$2.cpio.zst")
  label="NewcCpio level $1"; [ "$2" -eq 0 ] || label="$label, long=$2"
  printf '%-34s %9.1f %12d %8.2f %8.3f\n' "$label" "$s" "$b" "$(echo "$s / $ref_s" | bc -l)" \
    "$(echo "$b / $ref_b" | bc -l)"
done
# Both archives hold the same names (the reference adds '.' for the root, which ours leaves out).
zstd -dcq "$work/ref.cpio.zst" | cpio -it --quiet | sed 's|^\./||' | grep -vx '\.' | LC_ALL=C sort > "$work/ref.list"
zstd -dcq "$work/l19w0.cpio.zst" | cpio -it --quiet | LC_ALL=C sort > "$work/ours.list"
if cmp -s "$work/ref.list" "$work/ours.list"; then echo "same entry names: yes ($(wc -l < "$work/ours.list"))"; else
  echo "same entry names: NO"; diff "$work/ref.list" "$work/ours.list" | head -20; fi
