#!/usr/bin/env bash
# The leak verdict's whole real-JVM matrix: every scenario of example.fixtures.ServiceScenarioApp on
# every collector, with the packaged agent at default options (port=0 only) and the JVM's default
# heap layout (only -Xmx is set). One scenario runs on all collectors at once.
#
#   scripts/leak-matrix.sh                         # the fast scenarios on the default JDK (~25 min)
#   SCENARIOS="leak churn10" scripts/leak-matrix.sh
#   SCENARIOS=slow scripts/leak-matrix.sh          # 1 MiB/min into 2 GiB, 35 minutes
#   SCENARIOS=medium scripts/leak-matrix.sh        # 15 MiB/min into 256 MiB, a quiet heap, ~20 minutes
#   SCENARIOS=churn1big scripts/leak-matrix.sh     # the 2 MiB/s cache in 1 GiB, 7 minutes
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 scripts/leak-matrix.sh
#   RECORD=1 scripts/leak-matrix.sh                # also replace the recorded series the unit tests replay
#   SKIP_BUILD=1 scripts/leak-matrix.sh
#   AGENT_OPTIONS=port=0,debug=true scripts/leak-matrix.sh  # the agent's options (port=0 by default)
#   WATCH_SECONDS=1500 SCENARIOS=slow scripts/leak-matrix.sh   # watch each run this long instead
#
# For each run it prints when the leak was first suspected after the scenario started, the
# projected exhaustion at that moment, the real time the heap took to run out from then (leak
# scenarios run into their OutOfMemoryError), and how often the verdict turned. Raw logs, metric
# timelines and GC series go to scripts/benchmarks/target/leak-matrix-<time>/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

java=${JAVA_HOME:+$JAVA_HOME/bin/}java
version=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
read -r -a scenarios <<<"${SCENARIOS:-leak churn10 churn1 warmup step batch idle}"
declare -A collector_flags=([g1]=-XX:+UseG1GC [parallel]=-XX:+UseParallelGC [serial]=-XX:+UseSerialGC [zgc]=-XX:+UseZGC)
collectors=(g1 parallel serial zgc)
if ((version >= 21 && version < 24)); then
  collector_flags[zgc-generational]="-XX:+UseZGC -XX:+ZGenerational"
  collectors+=(zgc-generational)
fi

# scenario -> heap, seconds to watch (leaks run until their heap is gone), arguments
scenario_args() {
  case $1 in
    leak) heap=512m; watch=420; args=(leak) ;;
    churn10) heap=512m; watch=200; args=(cache churnKibPerSecond=20480) ;;
    churn1) heap=512m; watch=240; args=(cache churnKibPerSecond=2048) ;;
    # The same cache in 1 GiB: its first old collections come later (Parallel and G1 were suspected
    # for nearly five minutes here, LEAK-MATRIX.md); not among the default scenarios yet.
    churn1big) heap=1g; watch=420; args=(cache churnKibPerSecond=2048) ;;
    # The same caches with entries the JDK makes (Arrays.copyOf): no hook follows them. Watched five
    # minutes, so the 4-minute window of floors sees ZGC's floors too.
    jdkchurn10) heap=512m; watch=300; args=(cache churnKibPerSecond=20480 jdkMade=1) ;;
    jdkchurn1) heap=512m; watch=300; args=(cache churnKibPerSecond=2048 jdkMade=1) ;;
    warmup) heap=512m; watch=200; args=(warmup) ;;
    step) heap=512m; watch=200; args=(step) ;;
    batch) heap=512m; watch=200; args=(batch) ;;
    # The same batch made by the JDK (Arrays.copyOf): no hook follows its objects.
    jdkbatch) heap=512m; watch=200; args=(batch jdkMade=1) ;;
    # ... in 1 GiB: several batches promoted before the first old collection.
    jdkbatch1g) heap=1g; watch=300; args=(batch jdkMade=1) ;;
    # A leak of 1 MiB/s beside a smaller batch the JDK makes (40 MiB held 6 s every 25 s): the
    # batches' garbage climbs the readings with the leak until the first old collection.
    leakbatch) heap=512m; watch=480; args=(leakbatch keepKib=2 jdkMade=1 batchMib=40 everySeconds=25 holdSeconds=6) ;;
    idle) heap=512m; watch=120; args=(idle) ;;
    slow) heap=2g; watch=2100; args=(leak keepKib=1 keepEvery=30 sessionKib=2 sessionSeconds=60) ;;
    # 15 MiB/min into 256 MiB, 1 KiB of garbage a request: a young collection a minute or so, and
    # markings that find nothing dead in the old generation.
    medium) heap=256m; watch=1500; args=(leak rps=250 keepKib=1 garbageKib=1) ;;
    *) echo "leak-matrix: unknown scenario '$1'" >&2; exit 2 ;;
  esac
  watch=${WATCH_SECONDS:-$watch}
}
for scenario in "${scenarios[@]}"; do scenario_args "$scenario"; done

if [[ -z ${SKIP_BUILD:-} ]]; then
  echo "leak-matrix: building the agent and its test fixtures (tests skipped)..." >&2
  mvn -B -q -DskipTests package -pl agent -am
fi
stamp=$(date -u +%Y%m%d-%H%M%S)
out=$root/scripts/benchmarks/target/leak-matrix-$stamp
mkdir -p "$out"
# Copies, so a rebuild while the matrix runs cannot change what the JVMs load.
cp agent/target/memwatch-agent.jar "$out/agent.jar"
cp -r agent/target/test-classes "$out/fixtures"

# Runs one scenario on one collector; writes NAME.log (the JVM's output), NAME.gc (its
# collections), NAME.timeline (the verdict every second) and NAME.result (one summary line).
run() {
  local scenario=$1 collector=$2 name=$1-$2
  scenario_args "$scenario"
  read -r -a flags <<<"${collector_flags[$collector]}"
  "$java" "-javaagent:$out/agent.jar=${AGENT_OPTIONS:-port=0}" -Dscenario.gcSeries="$out/$name.gc" "-Xmx$heap" "${flags[@]}" \
    -cp "$out/fixtures" example.fixtures.ServiceScenarioApp "${args[@]}" >"$out/$name.log" 2>&1 &
  local pid=$! url="" started="" first="" exhaustion="" line=""
  for _ in $(seq 300); do
    url=$(grep -o -m1 -E 'http://[^ ]+/metrics' "$out/$name.log" || true)
    started=$(sed -n 's/^scenario: .* started at uptime \([0-9]*\) ms$/\1/p' "$out/$name.log")
    [[ -n $url && -n $started ]] && break
    sleep 0.2
  done
  local t0 now elapsed
  t0=$(date +%s%N)
  while kill -0 "$pid" 2>/dev/null; do
    now=$(date +%s%N); elapsed=$(((now - t0) / 1000000))
    line=$(curl -s -m 2 "$url" | grep -E '^memwatch_(leak_suspected|heap_exhaustion_seconds|heap_live_bytes|heap_growth_bytes_per_second) ' | tr '\n' ' ' || true)
    echo "$elapsed $line" >>"$out/$name.timeline"
    if [[ -z $first && $line == *"memwatch_leak_suspected 1.0"* ]]; then
      first=$elapsed
      exhaustion=$(sed -n 's/.*memwatch_heap_exhaustion_seconds \([^ ]*\).*/\1/p' <<<"$line")
    fi
    ((elapsed / 1000 < watch)) || { kill "$pid"; break; }
    sleep 1
  done
  wait "$pid" 2>/dev/null || true
  local oom suspicions lifted real="" held
  # The longest the verdict stayed on in the scrapes, in seconds.
  held=$(awk '{ on = ($0 ~ /memwatch_leak_suspected 1.0/) } on && !was { since = $1 } !on && was { if ($1 - since > longest) longest = $1 - since }
    { was = on; last = $1 } END { if (was && last - since > longest) longest = last - since; printf "%.0f", longest / 1000 }' "$out/$name.timeline")
  oom=$(sed -n 's/^scenario: out of memory at uptime \([0-9]*\) ms$/\1/p' "$out/$name.log")
  suspicions=$(grep -c 'memwatch: leak suspected' "$out/$name.log" || true)
  lifted=$(grep -c 'memwatch: leak suspicion lifted' "$out/$name.log" || true)
  if [[ -n $oom && -n $first ]]; then
    # From the suspicion (test clock, since the scenario started) to the heap running out (uptime).
    real=$(awk -v oom="$oom" -v started="$started" -v first="$first" 'BEGIN { printf "%.0f", (oom - started - first) / 1000 }')
  fi
  # "-" for what did not happen: the summary splits on tabs, and empty fields would run together.
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$collector" \
    "$([[ -n $first ]] && awk -v f="$first" 'BEGIN { printf "%.1f", f / 1000 }' || echo -)" \
    "$([[ -n $exhaustion ]] && awk -v e="$exhaustion" 'BEGIN { printf "%.0f", e }' || echo -)" "${real:--}" "$suspicions" "$lifted" "$held" \
    "$([[ -n $oom ]] && awk -v o="$oom" -v s="$started" 'BEGIN { printf "%.0f", (o - s) / 1000 }' || echo -)" >"$out/$name.result"
  if [[ -n ${RECORD:-} ]]; then
    local series=$root/collector/src/test/resources/gc-series/$scenario-$collector-java$version.txt
    {
      grep '^#' "$out/$name.gc" | sed -E 's/ ?-(javaagent|Dscenario.gcSeries)[^ ]*//g'
      echo "# started $started"
      [[ -n $oom ]] && echo "# out of memory $oom"
      grep -v '^#' "$out/$name.gc"
    } >"$series"
  fi
}

echo "# date: $(date -u +'%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "# machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
echo "# java: $("$java" -version 2>&1 | sed -n 2p)"
echo "# output: ${out#"$root"/}"
for scenario in "${scenarios[@]}"; do
  echo "leak-matrix: $scenario on ${collectors[*]}..." >&2
  for collector in "${collectors[@]}"; do run "$scenario" "$collector" & done
  wait
done
printf '%-8s %-17s %10s %11s %8s %7s %10s %7s %6s %6s\n' scenario collector suspected projected real error suspicions lifted held oom
cat "$out"/*.result | sort | while IFS=$'\t' read -r scenario collector first exhaustion real suspicions lifted held oom; do
  error=-
  [[ $real != - && $exhaustion != - && $real != 0 ]] && error=$(awk -v e="$exhaustion" -v r="$real" 'BEGIN { printf "%+.0f%%", 100 * (e / r - 1) }')
  printf '%-8s %-17s %10s %11s %8s %7s %10s %7s %6s %6s\n' "$scenario" "$collector" "$first" "$exhaustion" \
    "$real" "$error" "$suspicions" "$lifted" "$held" "$oom"
done
echo "(seconds throughout; suspected: from the scenario's start to the first scrape, every second, showing memwatch_leak_suspected 1;"
echo " projected: memwatch_heap_exhaustion_seconds in that scrape; real: seconds from then until the OutOfMemoryError;"
echo " suspicions and lifted: the agent's own log lines; held: the longest the verdict stayed on in the scrapes;"
echo " oom: from the start to the OutOfMemoryError)"
