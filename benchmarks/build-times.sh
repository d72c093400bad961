#!/usr/bin/env bash
# Cold versus no-op build of the reactor (tools stage from Debian), in the same run:
#   cold  - empty download cache and build folder
#   no-op - the same command again, nothing changed
# Usage: benchmarks/build-times.sh [extra Maven args]   (plugin installed first: ./mvnw -Dcaptain.bootstrap install)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/captainos-bench.XXXXXX)
args=(-B -q install -Dcaptain.buildDir="$work/build" -Dcaptain.outDir="$work/out" -Dcaptain.cache="$work/cache"
  -Dcaptain.kernel.mode=skip "$@")
t() { local s e; s=$(date +%s.%N); ./mvnw "${args[@]}" > "$work/log-$1.txt" 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
cold=$(t cold)
noop=$(t noop)
printf 'cold %.1f s, no-op %.1f s, no-op/cold %.3f\n' "$cold" "$noop" "$(echo "scale=4; $noop / $cold" | bc)"
for f in "$work"/build/tools/*/*.tar.zst; do
  printf '%s %d bytes\n' "$(basename "$f")" "$(stat -c %s "$f")"
done
echo "work folder: $work"
