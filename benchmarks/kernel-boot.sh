#!/usr/bin/env bash
# Boots a kernel image in QEMU (TCG) without an initramfs and waits for its banner on the serial console:
# proves the image starts on its arch and prints the seconds to the banner and to the first panic/halt line.
# Usage: benchmarks/kernel-boot.sh <image> <amd64|arm64> [seconds to wait, default 120]
set -euo pipefail
image=$1 arch=$2 wait=${3:-120}
log=$(mktemp /tmp/captainos-boot.XXXXXX)
case $arch in
  amd64) cmd=(qemu-system-x86_64 -m 512 -kernel "$image" -append "console=ttyS0 panic=-1") ;;
  arm64) cmd=(qemu-system-aarch64 -M virt -cpu max -m 512 -kernel "$image" -append "console=ttyAMA0 panic=-1") ;;
  *) echo "unknown arch $arch: use amd64 or arm64" >&2; exit 2 ;;
esac
start=$(date +%s.%N)
"${cmd[@]}" -nographic -no-reboot -monitor none -serial stdio > "$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
banner=
while kill -0 $pid 2>/dev/null; do
  if [ -z "$banner" ] && grep -qa "Linux version" "$log"; then
    banner=$(echo "$(date +%s.%N) - $start" | bc)
  fi
  if [ -n "$banner" ] && grep -qaE "Kernel panic|VFS: Unable to mount|No working init" "$log"; then
    break
  fi
  if [ "$(echo "$(date +%s.%N) - $start > $wait" | bc)" = 1 ]; then break; fi
  sleep 0.2
done
end=$(echo "$(date +%s.%N) - $start" | bc)
grep -a "Linux version" "$log" | head -1 | tr -d '\r'
grep -aE "Kernel command line|Kernel panic|VFS: Unable to mount|No working init" "$log" | head -3 | tr -d '\r'
if [ -z "$banner" ]; then echo "no banner within $wait s (log: $log)"; exit 1; fi
printf 'banner after %.1f s, stopped after %.1f s (log: %s)\n' "$banner" "$end" "$log"
