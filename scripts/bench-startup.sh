#!/usr/bin/env bash
# Start-up cost of the agent: the wall time of a trivial program (prints one line and exits) with
# and without -javaagent, many runs, alternating, so drift on the machine hits both alike. memwatch
# starts its heavy parts on a daemon thread; this measures how much it slows the host's start anyway.
#
#   scripts/bench-startup.sh                     # build, then 21 runs of each configuration
#   RUNS=41 scripts/bench-startup.sh
#   SKIP_BUILD=1 scripts/bench-startup.sh        # use the jars already built
#   AGENT_JAR=/path/to/memwatch-agent.jar SKIP_BUILD=1 scripts/bench-startup.sh   # another build of memwatch
#   CONFIGS="baseline memwatch allocation-instrumenter" scripts/bench-startup.sh
#   PREVIOUS_AGENT_JAR=/tmp/old.jar CONFIGS="baseline previous memwatch" scripts/bench-startup.sh   # two builds side by side
#       # configurations as in bench-overhead.sh: baseline, hooks-everywhere, hooks-own, sampler, memwatch,
#       # allocation-instrumenter
#   MEMWATCH_ARGS="allocations=false" scripts/bench-startup.sh
#   PROGRAM=greeter scripts/bench-startup.sh     # a program whose own code allocates (Greeter): the hooks
#                                                # then instrument a class with a new before its main runs
#   HOLD_MS=3000 scripts/bench-startup.sh        # the program waits 3 s before it exits: the agent's exit
#                                                # with its endpoint and sampler running (the wall time
#                                                # includes the 3 s)
#   JAVA_HOME=/path/to/jdk scripts/bench-startup.sh
#
# Prints, per configuration: median, minimum and maximum wall time; the median's ratio and
# difference against the baseline. Raw runs are kept in scripts/benchmarks/target/startup-<time>.tsv.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

runs=${RUNS:-21}
read -r -a configs <<<"${CONFIGS:-baseline hooks-everywhere hooks-own sampler memwatch}"
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
agent=${AGENT_JAR:-$root/scripts/benchmarks/target/agents/memwatch-agent.jar}
bench=$root/scripts/benchmarks/target/benchmarks.jar
instrumenter=$root/scripts/benchmarks/target/agents/java-allocation-instrumenter.jar
case ${PROGRAM:-hello} in
  hello) main=io.memwatch.benchmarks.startup.Hello ;;
  greeter) main=io.memwatch.benchmarks.startup.Greeter ;;
  *) echo "bench-startup: unknown PROGRAM '$PROGRAM' (known: hello, greeter)" >&2; exit 1 ;;
esac
hold=(-Dhello.holdMs="${HOLD_MS:-0}")

if [[ -z ${SKIP_BUILD:-} ]]; then
  echo "bench-startup: building the agent and the benchmarks (tests skipped)..." >&2
  # maven.test.skip rather than skipTests: the latter leaves the agent's integration tests running.
  mvn -B -q -Dmaven.test.skip=true install -pl agent -am
  mvn -B -q -f scripts/benchmarks/pom.xml package
fi
for jar in "$agent" "$bench" "$instrumenter"; do
  [[ -f $jar ]] || { echo "bench-startup: $jar is missing; run without SKIP_BUILD" >&2; exit 1; }
done

# The JVM arguments for one configuration, into the array args.
config_args() {
  case $1 in
    baseline) args=() ;;
    hooks-everywhere) args=("-javaagent:$agent=port=0,include=**,jfr=false${MEMWATCH_ARGS:+,$MEMWATCH_ARGS}") ;;
    hooks-own) args=("-javaagent:$agent=port=0,jfr=false${MEMWATCH_ARGS:+,$MEMWATCH_ARGS}") ;;
    sampler) args=("-javaagent:$agent=port=0,hooks=false${MEMWATCH_ARGS:+,$MEMWATCH_ARGS}") ;;
    memwatch) args=("-javaagent:$agent=port=0${MEMWATCH_ARGS:+,$MEMWATCH_ARGS}") ;;
    allocation-instrumenter) args=("-javaagent:$instrumenter") ;;
    previous) [[ -n ${PREVIOUS_AGENT_JAR:-} ]] || { echo "bench-startup: 'previous' needs PREVIOUS_AGENT_JAR" >&2; exit 1; }
      args=("-javaagent:$PREVIOUS_AGENT_JAR=port=0${MEMWATCH_ARGS:+,$MEMWATCH_ARGS}") ;;
    *) echo "bench-startup: unknown configuration '$1' (known: baseline, hooks-everywhere, hooks-own, sampler," \
      "memwatch, allocation-instrumenter, previous)" >&2; exit 1 ;;
  esac
}
for config in "${configs[@]}"; do config_args "$config"; done

stamp=$(date -u +%Y%m%d-%H%M%S)
raw=$root/scripts/benchmarks/target/startup-$stamp.tsv
log=$root/scripts/benchmarks/target/startup-$stamp.stderr
mkdir -p "$(dirname "$raw")"
: >"$log"

echo "# date: $(date -u +'%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
  "$([[ -n $(git status --porcelain -- agent collector 2>/dev/null) ]] && echo '(agent/collector with uncommitted changes)')"
echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)," \
  "$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
echo "# java: $("$java" -version 2>&1 | sed -n 2p)"
echo "# memwatch agent: ${agent#"$root"/}"
echo "# runs: $runs of each of: ${configs[*]}; program: $main (prints one line${HOLD_MS:+ after $HOLD_MS ms})"

# One untimed run of each first: the page cache then holds the JDK and the jars for every timed run.
for config in "${configs[@]}"; do
  config_args "$config"
  "$java" "${args[@]}" "${hold[@]}" -cp "$bench" "$main" >/dev/null 2>>"$log"
done

printf 'run\tconfig\twallMs\n' >"$raw"
n=${#configs[@]}
for ((run = 1; run <= runs; run++)); do
  for ((k = 0; k < n; k++)); do
    config=${configs[(run - 1 + k) % n]}
    config_args "$config"
    start=$(date +%s%N)
    out=$("$java" "${args[@]}" "${hold[@]}" -cp "$bench" "$main" 2>>"$log") || { echo "bench-startup: $config failed; see $log" >&2; exit 1; }
    end=$(date +%s%N)
    [[ $out == hello ]] || { echo "bench-startup: $config printed '$out' on stdout, not 'hello'" >&2; exit 1; }
    us=$(((end - start) / 1000))
    printf '%d\t%s\t%d.%03d\n' "$run" "$config" $((us / 1000)) $((us % 1000)) >>"$raw"
  done
done

echo
echo "raw runs: ${raw#"$root"/}"
awk -F'\t' -v order="${configs[*]}" '
  function sorted(list, v,   m, i, j, t) {
    m = split(list, v, " ")
    for (i = 2; i <= m; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] + 0 > t + 0; j--) v[j + 1] = v[j]; v[j + 1] = t }
    return m
  }
  NR == 1 { next }
  { wall[$2] = wall[$2] " " $3; runs[$2]++ }
  END {
    n = split(order, names, " ")
    printf "%-24s %4s %10s %10s %10s %8s %10s\n", "configuration", "runs", "median ms", "min ms", "max ms", "ratio", "vs base"
    for (i = 1; i <= n; i++) {
      c = names[i]
      m = sorted(wall[c], v)
      med = m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
      if (i == 1) base = med
      printf "%-24s %4d %10.1f %10.1f %10.1f %8.3f %+8.1f ms\n", c, runs[c], med, v[1], v[m], med / base, med - base
    }
    printf "(ratio and vs base: medians against %s)\n", names[1]
  }' "$raw"
