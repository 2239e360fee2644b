#!/usr/bin/env bash
# The pause of naming what keeps a leak: on a suspicion memwatch dumps the JVM's leak profiler with
# paths to GC roots, a search the JVM runs stopped at a safepoint (VM operation "JFROldObject",
# bounded to 1 s). This runs leaking fixtures at default options, one after another, with the JVM's
# safepoint log, and prints for each the longest JFROldObject stop, the other JFROldObject stops
# (dumps without paths, for the gauges and suspects), the heap's live set then, how many of the JVM's
# sampled objects the dump with paths held and how many of them had a path (memwatch's debug line), and
# memwatch's line. The last fixture is a Spring Boot service (scripts/benchmarks/spring-service) whose
# request bodies Jackson turns into orders inside Spring's argument resolution and a static map keeps:
# a framework's start-up is where the JVM's 256 samples could be crowded out.
#
#   scripts/bench-retainers.sh                 # build, then the static map, the listener list, the web service, Spring
#   SKIP_BUILD=1 scripts/bench-retainers.sh
#   HEAP=-Xmx2g SKIP_BUILD=1 scripts/bench-retainers.sh
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 scripts/bench-retainers.sh
#
# Raw logs go to scripts/benchmarks/target/retainers-<time>/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

java=${JAVA_HOME:+$JAVA_HOME/bin/}java
heap=${HEAP:--Xmx512m}
if [[ -z ${SKIP_BUILD:-} ]]; then
  echo "bench-retainers: building the agent and its test fixtures (tests skipped)..." >&2
  mvn -B -q -DskipTests package -pl agent -am
  mvn -B -q -f scripts/benchmarks/spring-service/pom.xml package
fi
stamp=$(date -u +%Y%m%d-%H%M%S)
out=$root/scripts/benchmarks/target/retainers-$stamp
mkdir -p "$out"
# Copies, so a rebuild meanwhile cannot change what the JVMs load.
cp agent/target/memwatch-agent.jar "$out/agent.jar"
cp -r agent/target/test-classes "$out/fixtures"
classpath="$out/fixtures:$(ls agent/target/third-party/*.jar | tr '\n' ':')"
cp scripts/benchmarks/spring-service/target/orders-service.jar "$out/orders-service.jar"

echo "# date: $(date -u +'%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "# machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
echo "# java: $("$java" -version 2>&1 | sed -n 2p); heap: $heap"
printf '%-24s %12s %14s %10s %16s  %s\n' fixture "paths stop" "other stops" "live MiB" "samples (path)" "memwatch's line"
for fixture in "RetainerLeakApp static" "RetainerLeakApp listeners" "OrderServiceApp" "spring-service"; do
  read -r -a run <<<"$fixture"
  name=${fixture// /-}
  # stdin stays open (the fixtures run until it closes) until the retainers are named or 3 minutes pass.
  mkfifo "$out/$name.stdin"
  jvm=("$java" "-javaagent:$out/agent.jar=port=0,debug=true" "$heap" "-Xlog:safepoint=info:file=$out/$name.safepoints:uptime")
  if [[ $fixture == spring-service ]]; then
    # 300 orders a second of about 2 KB of JSON each, posted to itself over loopback.
    "${jvm[@]}" -jar "$out/orders-service.jar" --server.port=0 --audit.load=300 <"$out/$name.stdin" >"$out/$name.log" 2>&1 &
  else
    "${jvm[@]}" -cp "$classpath" "example.fixtures.${run[0]}" "${run[@]:1}" <"$out/$name.stdin" >"$out/$name.log" 2>&1 &
  fi
  pid=$!
  exec 3>"$out/$name.stdin"
  for _ in $(seq 180); do
    grep -q 'memwatch: leak retained by' "$out/$name.log" && break
    sleep 1
  done
  sleep 1
  exec 3>&-
  [[ $fixture == spring-service ]] && kill "$pid" 2>/dev/null
  wait "$pid" || true
  rm -f "$out/$name.stdin"
  stops=$(grep -a 'Safepoint "JFROldObject"' "$out/$name.safepoints" | sed -n 's/.*Total: \([0-9]*\) ns.*/\1/p' | sort -n)
  longest=$(tail -n1 <<<"$stops")
  others=$(head -n -1 <<<"$stops" | awk '{ if ($1 > m) m = $1 } END { printf "%.2f ms", m / 1e6 }')
  live=$(sed -n 's/.*(live \([0-9]*\) MiB of.*/\1/p' "$out/$name.log" | head -n1)
  samples=$(sed -n 's/.*read \([0-9]*\) of the JVM.s sampled live objects, \([0-9]*\) with a path.*/\1 (\2)/p' "$out/$name.log" | head -n1)
  line=$(grep -a -m1 'memwatch: leak retained by' "$out/$name.log" | cut -c1-120 || echo "(no retainers named)")
  printf '%-24s %9.1f ms %14s %10s %16s  %s\n' "$fixture" "$(awk -v n="${longest:-0}" 'BEGIN { print n / 1e6 }')" \
    "max $others" "${live:--}" "${samples:--}" "$line"
done
echo "(paths stop: the longest JFROldObject safepoint, the dump with paths; other stops: the longest of the rest)"
