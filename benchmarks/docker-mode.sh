#!/usr/bin/env bash
# Docker mode against native, measured in one run on this machine: the same tree is copied four times under
# target/docker-bench/ and built stage by stage (kernel, tools, initramfs, iso, each its own Maven run, so each
# time is one stage's): all native; all docker, with the builder image and its base built cold first
# (-Dcaptain.builder.noCache); all docker again from a clean copy (the builder cached); and the kernel native with
# the other stages in docker. The tables give each stage's seconds and the ratio docker / native, and which
# outputs are byte-identical across the copies. Needs the plugin installed (./mvnw -Dcaptain.bootstrap install),
# a Docker engine (DOCKER_HOST or /var/run/docker.sock) and, for making the builder's base, root on a Debian host.
# Usage: benchmarks/docker-mode.sh        (KERNEL_SOURCE=debian-image by default; KERNEL_SOURCE=debian compiles)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bench=$root/target/docker-bench
kernel_source=${KERNEL_SOURCE:-debian-image}
rm -rf "$bench"
mkdir -p "$bench"

copy() {
  mkdir -p "$bench/$1"
  git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -a -t "$bench/$1"
}

# stage COPY MODULE MODE [extra]: builds one module in a copy, prints its seconds.
stage() {
  local dir=$1 module=$2 mode=$3
  shift 3
  local start end
  start=$(date +%s.%N)
  (cd "$bench/$dir" && ./mvnw -B install -DskipTests -pl "captainos-$module" \
    -Dcaptain.kernel.source="$kernel_source" "-Dcaptain.$module.mode=$mode" "$@") \
    >> "$bench/$dir.log" 2>&1 || { echo "$dir: $module in $mode mode failed; see $bench/$dir.log" >&2; exit 1; }
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }'
}

declare -A t
for c in native docker-cold docker-warm mixed; do copy "$c"; done
for m in kernel tools initramfs iso; do t[native,$m]=$(stage native "$m" native); done
t[docker-cold,kernel]=$(stage docker-cold kernel docker -Dcaptain.builder.noCache=true)
for m in tools initramfs iso; do t[docker-cold,$m]=$(stage docker-cold "$m" docker); done
for m in kernel tools initramfs iso; do t[docker-warm,$m]=$(stage docker-warm "$m" docker); done
t[mixed,kernel]=$(stage mixed kernel native)
for m in tools initramfs iso; do t[mixed,$m]=$(stage mixed "$m" docker); done

base_s=$(grep -oE 'builder: base \S+ made in [0-9]+ s' "$bench/docker-cold.log" | grep -oE '[0-9]+ s$' || echo '- s')
builder_s=$(grep -oE 'builder: captainos-builder:\S+ built in [0-9]+ s' "$bench/docker-cold.log" | grep -oE '[0-9]+ s$' || echo '- s')
echo "builder image, cold (-Dcaptain.builder.noCache): base ${base_s}, builder ${builder_s}; kernel source $kernel_source"
printf '\n%-10s %9s %12s %12s %8s %8s\n' stage native "docker cold" "docker warm" "cold/n" "warm/n"
for m in kernel tools initramfs iso; do
  awk -v m="$m" -v n="${t[native,$m]}" -v c="${t[docker-cold,$m]}" -v w="${t[docker-warm,$m]}" \
    'BEGIN { printf "%-10s %9.1f %12.1f %12.1f %8.2f %8.2f\n", m, n, c, w, c / n, w / n }'
done

sum() { [ -f "$1" ] && sha256sum < "$1" | cut -c1-12 || echo missing; }
printf '\n%-42s %-12s %-12s %-12s %-12s %s\n' output native docker-cold docker-warm mixed "same bytes"
for f in $(cd "$bench/native" && ls out/* build/tools/*/*.tar.zst build/kernel/*/modules-*.tar.zst); do
  n=$(sum "$bench/native/$f"); c=$(sum "$bench/docker-cold/$f"); w=$(sum "$bench/docker-warm/$f"); x=$(sum "$bench/mixed/$f")
  same=()
  [ "$c" = "$w" ] && same+=("docker=docker")
  [ "$n" = "$w" ] && same+=("native=docker")
  [ "$n" = "$x" ] && same+=("native=mixed")
  printf '%-42s %-12s %-12s %-12s %-12s %s\n' "$f" "$n" "$c" "$w" "$x" "${same[*]:-none}"
done
