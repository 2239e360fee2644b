#!/usr/bin/env bash
# The injected fast path in isolation: JMH's AllocationHookBenchmark (bare allocation vs the same
# allocation followed by exactly the hook call memwatch injects), with JMH's GC profiler so each
# benchmark also reports the bytes it allocates per operation (gc.alloc.rate.norm).
#
#   scripts/bench-hotpath.sh                     # build, then the full run (about 5 minutes)
#   SKIP_BUILD=1 scripts/bench-hotpath.sh        # use the jar already built
#   scripts/bench-hotpath.sh -f 1 -i 3           # extra arguments go to JMH
#   BENCHMARKS='Object' scripts/bench-hotpath.sh  # a subset (a regular expression)
#   JAVA_HOME=/path/to/jdk scripts/bench-hotpath.sh
#
# JMH's own results are kept in scripts/benchmarks/target/hotpath-<time>.json.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

java=${JAVA_HOME:+$JAVA_HOME/bin/}java
bench=$root/scripts/benchmarks/target/benchmarks.jar

if [[ -z ${SKIP_BUILD:-} ]]; then
  echo "bench-hotpath: building the agent and the benchmarks (tests skipped)..." >&2
  # maven.test.skip rather than skipTests: the latter leaves the agent's integration tests running.
  mvn -B -q -Dmaven.test.skip=true install -pl agent -am
  mvn -B -q -f scripts/benchmarks/pom.xml package
fi
[[ -f $bench ]] || { echo "bench-hotpath: $bench is missing; run without SKIP_BUILD" >&2; exit 1; }

stamp=$(date -u +%Y%m%d-%H%M%S)
json=$root/scripts/benchmarks/target/hotpath-$stamp.json

echo "# date: $(date -u +'%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)," \
  "$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
echo "# java: $("$java" -version 2>&1 | sed -n 2p)"

"$java" -jar "$bench" "${BENCHMARKS:-AllocationHookBenchmark}" -prof gc -rf json -rff "$json" "$@"
echo "JMH results: ${json#"$root"/}"
