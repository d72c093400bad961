#!/usr/bin/env bash
# Boot time and size of this build against a baseline, both measured in the same run on this machine: each image
# boots to a running agent under QEMU (real registry, the stand-in agent, a syslog listener: the command line of a
# Tinkerbell boot), alternating, ROUNDS times; the table gives the medians of the guest's own clocks (the kernel log, systemd's unit timestamps) and of the host's (QEMU
# start to the kernel, to the agent), with the ratio this build / baseline. Then the initramfs sizes: compressed,
# unpacked (what the machine holds in RAM) and entries. systemd-analyze blame and critical-chain of every boot are
# kept in captainos-boot-tests/target/analyze-bench-*.txt.
#
# BASELINE is a folder holding a vmlinuz-* and an initramfs-* of the arch, or a git revision: that revision is then
# built in a worktree under target/ (with its own copy of the local Maven repository, so this tree's installed
# plugin is left alone) with the same kernel source. This tree must be built first (./mvnw install, with the same
# -Dcaptain.kernel.source), unless CANDIDATE names another folder like BASELINE to compare in its place. TCG unless
# the host runs KVM guests; one vCPU, 2048 MB.
# Usage: benchmarks/boot-times.sh BASELINE [ROUNDS] [amd64|arm64]
#   e.g. KERNEL_SOURCE=debian-image benchmarks/boot-times.sh HEAD~3 3
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
baseline=$1
rounds=${2:-1}
arch=${3:-amd64}
case $arch in amd64) oarch=x86_64; profile=() ;; arm64) oarch=aarch64; profile=(-Parm64) ;;
  *) echo "unknown arch $arch: use amd64 or arm64" >&2; exit 2 ;; esac
source_opt=()
[ -z "${KERNEL_SOURCE:-}" ] || source_opt=(-Dcaptain.kernel.source="$KERNEL_SOURCE")

if [ ! -d "$baseline" ]; then
  rev=$(git rev-parse --verify "$baseline^{commit}") || { echo "$baseline is neither a folder nor a revision" >&2; exit 2; }
  tree=target/boot-baseline/tree
  repo=target/boot-baseline/m2
  mkdir -p target/boot-baseline
  if [ ! -d "$tree" ]; then git worktree add -q --detach "$tree" "$rev"; else git -C "$tree" checkout -q --detach "$rev"; fi
  local_repo=$(./mvnw -q help:evaluate -Dexpression=settings.localRepository -DforceStdout 2>/dev/null || echo "$HOME/.m2/repository")
  [ -d "$repo" ] || cp -a "$local_repo" "$repo"
  echo "building the baseline $(git rev-parse --short "$rev") in $tree" >&2
  (cd "$tree" && ./mvnw -B -q -Dmaven.repo.local="$PWD/../m2" -Dcaptain.bootstrap install -DskipTests \
    && ./mvnw -B -q -Dmaven.repo.local="$PWD/../m2" install "${profile[@]}" "${source_opt[@]}" -DskipTests) >&2
  baseline=$tree/out
fi

mkdir -p target
./mvnw -B -q install "${profile[@]}" -pl captainos-boot-tests -Dtest=BootTimesBenchmark \
  -Dsurefire.failIfNoSpecifiedTests=false -Dcaptain.boot.baseline="$(realpath "$baseline")" \
  -Dcaptain.boot.rounds="$rounds" ${CANDIDATE:+-Dcaptain.boot.candidate="$(realpath "$CANDIDATE")"} \
  > target/boot-times.log 2>&1 \
  || { tail -40 target/boot-times.log >&2; exit 1; }
cat "captainos-boot-tests/target/boot-times-$oarch.txt"

# size FILE: compressed bytes, unpacked bytes, entries.
size() {
  printf '%s %s %s' "$(stat -c %s "$1")" "$(zstd -dc "$1" | wc -c)" "$(zstd -dc "$1" | cpio -t --quiet | wc -l)"
}
read -r bc bu be <<< "$(size "$(ls "$baseline"/initramfs-*-"$oarch" | head -n 1)")"
read -r tc tu te <<< "$(size "$(ls "${CANDIDATE:-out}"/initramfs-*-"$oarch" | head -n 1)")"
printf '\n%-34s %10s %10s %7s\n' "initramfs ($oarch)" baseline "this build" ratio
awk -v a="$bc" -v b="$tc" 'BEGIN { printf "%-34s %10.1f %10.1f %7.2f\n", "compressed, MB", a / 1e6, b / 1e6, b / a }'
awk -v a="$bu" -v b="$tu" 'BEGIN { printf "%-34s %10.1f %10.1f %7.2f\n", "unpacked in RAM, MB", a / 1e6, b / 1e6, b / a }'
awk -v a="$be" -v b="$te" 'BEGIN { printf "%-34s %10d %10d %7.2f\n", "entries", a, b, b / a }'
