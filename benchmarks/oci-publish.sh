#!/usr/bin/env bash
# Publishing the release images of out/ to a real docker-registry on a free loopback port, in the same run:
#   baseline - skopeo copies each image of the same layout (oci: -> docker://) into an empty repository
#   first    - captain:publish of every image (per arch, then combined) into another empty repository
#   repeat   - captain:publish again with -Dcaptain.oci.force=true: every blob is there, nothing is sent
# and the bytes each publish uploaded. Needs out/ with at least one arch (./mvnw install), docker-registry, skopeo.
# Usage: benchmarks/oci-publish.sh   (plugin installed first: ./mvnw -Dcaptain.bootstrap install)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/captainos-bench.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/config.yml" <<CONF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $work/storage
http:
  addr: 127.0.0.1:$port
CONF
docker-registry serve "$work/config.yml" > "$work/registry.log" 2>&1 &
registry=$!
trap 'kill $registry 2>/dev/null || true' EXIT
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done

t() { local s e; s=$(date +%s.%N); "$@"; e=$(date +%s.%N); echo "$e - $s" | bc; }
publish() { # log name, extra args
  local name=$1; shift
  ./mvnw -B -pl captainos-release captain:publish -Dcaptain.oci.registry=127.0.0.1:$port \
    -Dcaptain.buildDir="$work/build" "$@" > "$work/log-$name.txt" 2>&1
}
# Maven's own start-up, to take out of the publish times.
mvn_start=$(t ./mvnw -B -q -pl captainos-release validate)
first=$(t publish first -Dcaptain.oci.repository=bench/first)
repeat=$(t publish repeat -Dcaptain.oci.repository=bench/first -Dcaptain.oci.force=true)
layout="$work/build/oci/layout"
baseline=$(t bash -c "for tag in \$(python3 -c 'import json,sys; [print(m[\"annotations\"][\"org.opencontainers.image.ref.name\"]) for m in json.load(open(sys.argv[1]))[\"manifests\"]]' $layout/index.json); do
  skopeo copy -q --all --dest-tls-verify=false oci:$layout:\$tag docker://127.0.0.1:$port/bench/skopeo:\$tag; done")
bytes() { sed -n 's/.*blobs uploaded (\([0-9]*\) bytes).*/\1/p' "$work/log-$1.txt" | tail -1; }
push() { sed -n 's/.*images published in \([0-9]*\) ms.*/\1/p' "$work/log-$1.txt" | tail -1 | awk '{print $1/1000}'; }
printf '%-24s %8s %8s %14s\n' publish wall_s push_s uploaded_bytes
printf '%-24s %8.1f %8.1f %14s\n' "skopeo copy (baseline)" "$baseline" "$baseline" "-"
printf '%-24s %8.1f %8.1f %14s\n' "captain:publish first" "$(echo "$first - $mvn_start" | bc)" "$(push first)" \
  "$(bytes first)"
printf '%-24s %8.1f %8.1f %14s\n' "captain:publish repeat" "$(echo "$repeat - $mvn_start" | bc)" "$(push repeat)" \
  "$(bytes repeat)"
echo "push first/baseline $(echo "scale=2; $(push first) / $baseline" | bc)," \
  "push repeat/first $(echo "scale=3; $(push repeat) / $(push first)" | bc)" \
  "(wall: Maven start-up of ${mvn_start} s taken out, includes writing the layout from out/)"
grep -h 'OCI image\|published\|OCI:' "$work/log-first.txt" | sed 's/^\[INFO\] /  /'
echo "work folder: $work"
