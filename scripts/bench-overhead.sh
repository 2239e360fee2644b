#!/usr/bin/env bash
# Whole-process overhead of allocation-site sampling on a workload doing a fixed amount of work: by
# default Jackson and Guava (WORKLOAD=json), or code whose bytes are almost all allocated inside the
# JDK (WORKLOAD=jdk). Configurations, side by side: no agent; memwatch's sources one at a time and
# together; google's allocation-instrumenter (with a trivial sampler registered, so it does its
# per-allocation work). Each round runs every configuration once, in rotated order, so drift on the
# machine hits all of them alike.
#
#   baseline                 no agent
#   hooks-everywhere         memwatch, hooks in every class outside the JDK, no JFR (include=**,jfr=false):
#                            what memwatch did before the JVM's sampler was a source
#   hooks-own                memwatch, hooks in the application's own code only, no JFR (jfr=false)
#   sampler                  memwatch, the JVM's allocation sampler only (hooks=false)
#   memwatch                 memwatch at default options: hooks in own code and the sampler for the rest
#   allocation-instrumenter  the peer
#   jfr-nothing              no agent; the JVM starts the Flight Recorder with no event enabled
#                            (scripts/benchmarks/jfr-nothing.jfc): the floor of any reader of its events
#   jfr-stream               no memwatch; a bare in-process reader of the same sampler (BareStreamAgent,
#                            in benchmarks.jar): what reading it costs before memwatch does anything with it
#   jfr-disk                 as jfr-stream, but a plain recording to disk read in bulk every 5 s instead of a
#                            stream (BareDiskAgent): whether parsing less often costs less
#
#   scripts/bench-overhead.sh                    # build, then 5 rounds
#   ROUNDS=9 scripts/bench-overhead.sh
#   SKIP_BUILD=1 scripts/bench-overhead.sh       # use the jars already built
#   AGENT_JAR=/path/to/memwatch-agent.jar SKIP_BUILD=1 scripts/bench-overhead.sh   # another build of memwatch
#   PREVIOUS_AGENT_JAR=/tmp/old.jar CONFIGS="baseline previous memwatch" scripts/bench-overhead.sh   # two builds side by side
#   CONFIGS="baseline memwatch" scripts/bench-overhead.sh
#   WORKLOAD=jdk CONFIGS="baseline hooks-own sampler memwatch" scripts/bench-overhead.sh
#   COVERAGE=1 CONFIGS="hooks-everywhere hooks-own sampler memwatch" scripts/bench-overhead.sh
#       # also: memwatch_allocated_bytes_total against the JVM's own count (ThreadMXBean), read after the
#       # timed work; the "coverage" column is their ratio
#   LIVE_HEAP=1 CONFIGS="baseline memwatch" scripts/bench-overhead.sh
#       # also: the heap's live bytes after the work (the JVM's class histogram, a full collection
#       # first); the work leaves nothing of its own, so a configuration's "live heap" beyond the
#       # baseline's is its agent's heap ("memwatch classes": the instances of memwatch's own classes)
#   WORKLOAD_OPTS="-Dworkload.batches=200" HEAP="-Xms2g -Xmx2g" scripts/bench-overhead.sh
#   MEMWATCH_ARGS="sampleBytes=1m" scripts/bench-overhead.sh   # extra memwatch options
#   JAVA_HOME=/path/to/jdk scripts/bench-overhead.sh
#
# Prints, per configuration: median wall time of the whole process (start to exit), median time
# the workload itself reports (all of it, and the second half of its batches alone, with less
# start-up and warm-up in it), median process CPU time, median peak RSS (VmHWM), what the worker
# threads allocated, GC count; ratios and differences against the baseline. Fails if any run's
# checksum differs from the others (every configuration must do exactly the same work).
# Raw per-run figures are kept in scripts/benchmarks/target/overhead-<time>.tsv.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

rounds=${ROUNDS:-5}
read -r -a configs <<<"${CONFIGS:-baseline hooks-everywhere hooks-own sampler memwatch}"
# A fixed heap, touched up front: peak RSS then differs by what the agent adds outside the host's
# heap, not by how much of the same 1 GiB heap the collector happened to touch.
read -r -a heap <<<"${HEAP:--Xms1g -Xmx1g -XX:+AlwaysPreTouch}"
read -r -a workload_opts <<<"${WORKLOAD_OPTS:-}"
[[ -n ${COVERAGE:-} ]] && workload_opts+=(-Dworkload.coverage=true)
[[ -n ${LIVE_HEAP:-} ]] && workload_opts+=(-Dworkload.liveHeap=true)
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
agent=${AGENT_JAR:-$root/scripts/benchmarks/target/agents/memwatch-agent.jar}
bench=$root/scripts/benchmarks/target/benchmarks.jar
instrumenter=$root/scripts/benchmarks/target/agents/java-allocation-instrumenter.jar
case ${WORKLOAD:-json} in
  json) main=io.memwatch.benchmarks.workload.JsonAndCollectionsWorkload ;;
  jdk) main=io.memwatch.benchmarks.workload.JdkHeavyWorkload ;;
  *) echo "bench-overhead: unknown WORKLOAD '$WORKLOAD' (known: json, jdk)" >&2; exit 1 ;;
esac

if [[ -z ${SKIP_BUILD:-} ]]; then
  echo "bench-overhead: building the agent and the benchmarks (tests skipped)..." >&2
  # maven.test.skip rather than skipTests: the latter leaves the agent's integration tests running.
  mvn -B -q -Dmaven.test.skip=true install -pl agent -am
  mvn -B -q -f scripts/benchmarks/pom.xml package
fi
for jar in "$agent" "$bench" "$instrumenter"; do
  [[ -f $jar ]] || { echo "bench-overhead: $jar is missing; run without SKIP_BUILD" >&2; exit 1; }
done

stamp=$(date -u +%Y%m%d-%H%M%S)
raw=$root/scripts/benchmarks/target/overhead-$stamp.tsv
logs=$root/scripts/benchmarks/target/overhead-$stamp-logs
mkdir -p "$logs"

echo "# date: $(date -u +'%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
  "$([[ -n $(git status --porcelain -- agent collector 2>/dev/null) ]] && echo '(agent/collector with uncommitted changes)')"
echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)," \
  "$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
echo "# java: $("$java" -version 2>&1 | sed -n 2p)"
echo "# memwatch agent: ${agent#"$root"/}"
echo "# rounds: $rounds; configurations: ${configs[*]}; heap: ${heap[*]}; workload: $main ${workload_opts[*]:-}"

# The JVM arguments for one configuration, into the array args.
config_args() {
  case $1 in
    baseline) args=() ;;
    hooks-everywhere) args=("-javaagent:$agent=port=0,include=**,jfr=false${MEMWATCH_ARGS:+,$MEMWATCH_ARGS}") ;;
    hooks-own) args=("-javaagent:$agent=port=0,jfr=false${MEMWATCH_ARGS:+,$MEMWATCH_ARGS}") ;;
    sampler) args=("-javaagent:$agent=port=0,hooks=false${MEMWATCH_ARGS:+,$MEMWATCH_ARGS}") ;;
    memwatch) args=("-javaagent:$agent=port=0${MEMWATCH_ARGS:+,$MEMWATCH_ARGS}") ;;
    allocation-instrumenter) args=("-javaagent:$instrumenter" -Dworkload.sampler=allocation-instrumenter) ;;
    jfr-nothing) args=("-XX:StartFlightRecording:settings=$root/scripts/benchmarks/jfr-nothing.jfc") ;;
    jfr-stream) args=("-javaagent:$bench") ;;
    jfr-disk) args=("-javaagent:$bench=disk") ;;
    previous) [[ -n ${PREVIOUS_AGENT_JAR:-} ]] || { echo "bench-overhead: 'previous' needs PREVIOUS_AGENT_JAR" >&2; exit 1; }
      args=("-javaagent:$PREVIOUS_AGENT_JAR=port=0${MEMWATCH_ARGS:+,$MEMWATCH_ARGS}") ;;
    *) echo "bench-overhead: unknown configuration '$1' (known: baseline, hooks-everywhere, hooks-own, sampler," \
      "memwatch, allocation-instrumenter, jfr-nothing, jfr-stream, jfr-disk, previous)" >&2; exit 1 ;;
  esac
}
for config in "${configs[@]}"; do config_args "$config"; done
# One field of the workload's result line.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }

printf 'round\tconfig\twallMs\telapsedMs\tsecondHalfMs\tcpuMs\tvmHwmKiB\tallocatedMiB\tgcCount\tchecksum\tcoverage\tliveHeapKiB\tmemwatchClassesKiB\n' >"$raw"
n=${#configs[@]}
for ((round = 1; round <= rounds; round++)); do
  for ((k = 0; k < n; k++)); do
    config=${configs[(round - 1 + k) % n]}
    config_args "$config"
    log=$logs/$round-$config.stderr
    start=$(date +%s%N)
    out=$("$java" "${heap[@]}" "${args[@]}" "${workload_opts[@]}" -cp "$bench" "$main" 2>"$log") \
      || { echo "bench-overhead: $config failed; see $log" >&2; exit 1; }
    end=$(date +%s%N)
    line=$(grep '^workload: ' <<<"$out") || { echo "bench-overhead: $config printed no result; see $log" >&2; exit 1; }
    coverage=$(sed -n 's/.*coverage .* ratio=\([0-9.]*\).*/\1/p' "$log")
    live_heap=$(sed -n 's/.*liveHeap liveKiB=\([0-9]*\).*/\1/p' "$log")
    memwatch_classes=$(sed -n 's/.*liveHeap .* memwatchClassesKiB=\([0-9]*\).*/\1/p' "$log")
    case $config in
      hooks-*|sampler|memwatch) grep -q 'memwatch: serving metrics on' "$log" || { echo "bench-overhead: memwatch did not start; see $log" >&2; exit 1; } ;;
      allocation-instrumenter) grep -q 'sampler saw' "$log" || { echo "bench-overhead: no sampler ran; see $log" >&2; exit 1; } ;;
    esac
    wall=$(((end - start) / 1000000))
    printf '%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$config" "$wall" "$(field elapsedMs)" \
      "$(field secondHalfMs)" "$(field cpuMs)" \
      "$(field vmHwmKiB)" "$(field allocatedMiB)" "$(field gcCount)" "$(field checksum)" "${coverage:--}" \
      "${live_heap:--}" "${memwatch_classes:--}" >>"$raw"
    printf 'round %d/%d %-24s wall %6d ms  workload %6s ms  2nd half %6s ms  cpu %6s ms  peak RSS %5d MiB  allocated %5s MiB  gc %3s  coverage %s\n' \
      "$round" "$rounds" "$config" "$wall" "$(field elapsedMs)" "$(field secondHalfMs)" "$(field cpuMs)" "$(($(field vmHwmKiB) / 1024))" \
      "$(field allocatedMiB)" "$(field gcCount)" "${coverage:--}" >&2
  done
done

echo
echo "raw runs: ${raw#"$root"/}"
awk -F'\t' -v order="${configs[*]}" '
  function median(list,   v, m, i, j, t) {
    m = split(list, v, " ")
    for (i = 2; i <= m; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] + 0 > t + 0; j--) v[j + 1] = v[j]; v[j + 1] = t }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
  }
  NR == 1 { next }
  {
    wall[$2] = wall[$2] " " $3; elapsed[$2] = elapsed[$2] " " $4; half[$2] = half[$2] " " $5; cpu[$2] = cpu[$2] " " $6
    rss[$2] = rss[$2] " " $7; alloc[$2] = alloc[$2] " " $8; gcs[$2] = gcs[$2] " " $9; runs[$2]++
    sums[$10]++
    if ($11 != "-") cov[$2] = cov[$2] " " $11
    if ($12 != "-") live[$2] = live[$2] " " $12
    if ($13 != "-") own[$2] = own[$2] " " $13
  }
  END {
    n = split(order, names, " ")
    base = names[1]
    printf "%-24s %4s %7s %6s %9s %6s %9s %6s %7s %6s %9s %9s %10s %4s %8s\n", "configuration", "runs", "wall s", "ratio", \
      "workload", "ratio", "2nd half", "ratio", "cpu s", "ratio", "peak RSS", "vs base", "allocated", "gc", "coverage"
    for (i = 1; i <= n; i++) {
      c = names[i]
      w = median(wall[c]); e = median(elapsed[c]); h = median(half[c]); u = median(cpu[c]); r = median(rss[c]) / 1024
      if (i == 1) { bw = w; be = e; bh = h; bu = u; br = r }
      printf "%-24s %4d %7.2f %6.3f %8.2fs %6.3f %8.2fs %6.3f %7.2f %6.3f %5.0f MiB %+5.0f MiB %6.0f MiB %4.0f %8s\n", c, runs[c], \
        w / 1000, w / bw, e / 1000, e / be, h / 1000, h / bh, u / 1000, u / bu, r, r - br, median(alloc[c]), median(gcs[c]), \
        cov[c] == "" ? "-" : sprintf("%.3f", median(cov[c]))
    }
    printf "(medians over runs; ratios and vs base against %s. wall: the whole process, start to exit; workload: the\n", base
    printf " work as the program times it; 2nd half: the second half of its batches; cpu: process CPU time;\n"
    printf " coverage: memwatch_allocated_bytes_total / the JVM'"'"'s own count, with COVERAGE=1)\n"
    if (live[base] != "") {
      printf "\n%-24s %10s %9s %16s\n", "configuration", "live heap", "vs base", "memwatch classes"
      for (i = 1; i <= n; i++) {
        c = names[i]
        if (live[c] == "") continue
        l = median(live[c]) / 1024; if (i == 1) bl = l
        printf "%-24s %6.1f MiB %+5.1f MiB %12.0f KiB\n", c, l, l - bl, median(own[c])
      }
      printf "(live heap: after the work, from the JVM'"'"'s class histogram, a full collection first, with LIVE_HEAP=1)\n"
    }
    k = 0; for (s in sums) k++
    if (k == 1) { for (s in sums) printf "checksums: all %d runs agree (%s)\n", sums[s], s }
    else { print "checksums: DIFFER between runs:"; for (s in sums) printf "  %s x %d\n", s, sums[s]; exit 1 }
  }' "$raw"
