#!/usr/bin/env bash
# The boot paths of this build, from QEMU start to the agent running, with its split: firmware (QEMU start to the
# kernel's first line), kernel (to /init), userspace (to the root login on the serial console, which systemd
# starts once the boot is done) and the agent (to the stand-in agent's first line, which it prints once it has
# parsed its command line). Runs the provisioning boot test (real registries, the stand-in agent, one action) for
# each arch and reads its console log, whose lines carry the seconds since QEMU started; on amd64 also the iPXE
# boot and the smee-patched ISO under UEFI, whose agent-up times are printed as ratios against the kernel+initrd
# boot of the same run. TCG unless the host runs KVM guests. (benchmarks/boot-times.sh compares two builds.)
# Usage: benchmarks/boot-paths.sh [amd64] [arm64]   (after ./mvnw install, and ./mvnw -Parm64 install for arm64)
set -euo pipefail
cd "$(dirname "$0")/.."
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(amd64)
logs=captainos-boot-tests/target

# agent_up LOG: seconds from QEMU start to the stand-in agent's parsed line.
agent_up() {
  awk '!t && /"standin":"parsed"/ { t = $1 + 0 } END { if (!t) exit 1; printf "%.1f", t }' "$1"
}

printf '%-8s %9s %9s %11s %9s %11s\n' arch firmware kernel userspace agent total_s
for arch in "${arches[@]}"; do
  case $arch in amd64) oarch=x86_64; profile=(); tests=ProvisioningBootTest,IpxeBootTest,IsoBootTest ;;
    arm64) oarch=aarch64; profile=(-Parm64); tests=ProvisioningBootTest ;;
    *) echo "unknown arch $arch" >&2; exit 2 ;; esac
  ./mvnw -B -q install "${profile[@]}" -pl captainos-boot-tests -Dtest="$tests" > /dev/null
  awk -v arch="$arch" '
    function at(line) { return $1 + 0 }
    !kernel && /Linux version/ { kernel = at() }
    !init && /captainos-init: / { init = at() }
    !multi && /login: root \(automatic login\)/ { multi = at() }
    !agent && /"standin":"parsed"/ { agent = at() }
    END {
      if (!kernel || !init || !multi || !agent) { print arch ": a boot milestone is missing in the log" > "/dev/stderr"; exit 1 }
      printf "%-8s %9.1f %9.1f %11.1f %9.1f %11.1f\n", arch, kernel, init - kernel, multi - init, agent - multi, agent
    }' "$logs/console-provisioning-$oarch.log"
  if [ "$arch" = amd64 ]; then
    base=$(agent_up "$logs/console-provisioning-x86_64.log")
    printf '\n%-32s %9s %7s\n' "boot (amd64)" agent_s x
    printf '%-32s %9s %7s\n' "kernel + initrd (baseline)" "$base" 1.00
    for boot in ipxe-x86_64:"iPXE, kernel and initrd over HTTP" iso-uefi-patched-x86_64:"ISO patched as smee does, UEFI"; do
      t=$(agent_up "$logs/console-${boot%%:*}.log")
      printf '%-32s %9s %7.2f\n' "${boot#*:}" "$t" "$(awk -v a="$t" -v b="$base" 'BEGIN { print a / b }')"
    done
  fi
done
