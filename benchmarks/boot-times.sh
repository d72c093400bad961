#!/usr/bin/env bash
# Boot time of this build, from QEMU start to the agent running, with its split: firmware (QEMU start to the
# kernel's first line), kernel (to /init), userspace (to the root login on the serial console, which systemd
# starts once the boot is done), and the agent setup (pull and start). Runs the
# provisioning boot test (a real registry, a stand-in agent) for each arch and reads its console log, whose lines
# carry the seconds since QEMU started. TCG unless the host runs KVM guests.
# Usage: benchmarks/boot-times.sh [amd64] [arm64]   (after ./mvnw install, and ./mvnw -Parm64 install for arm64)
set -euo pipefail
cd "$(dirname "$0")/.."
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(amd64)
printf '%-8s %9s %9s %11s %9s %11s\n' arch firmware kernel userspace agent total_s
for arch in "${arches[@]}"; do
  case $arch in amd64) oarch=x86_64; profile=() ;; arm64) oarch=aarch64; profile=(-Parm64) ;;
    *) echo "unknown arch $arch" >&2; exit 2 ;; esac
  ./mvnw -B -q -o install "${profile[@]}" -pl captainos-boot-tests -Dtest=ProvisioningBootTest > /dev/null
  log=captainos-boot-tests/target/console-provisioning-$oarch.log
  awk -v arch="$arch" '
    function at(line) { return $1 + 0 }
    !kernel && /Linux version/ { kernel = at() }
    !init && /captainos-init: copying/ { init = at() }
    !multi && /login: root \(automatic login\)/ { multi = at() }
    !agent && /STANDIN-AGENT args:/ { agent = at() }
    END {
      if (!kernel || !init || !multi || !agent) { print arch ": a boot milestone is missing in the log" > "/dev/stderr"; exit 1 }
      printf "%-8s %9.1f %9.1f %11.1f %9.1f %11.1f\n", arch, kernel, init - kernel, multi - init, agent - multi, agent
    }' "$log"
done
