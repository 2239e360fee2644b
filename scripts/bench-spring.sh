#!/usr/bin/env bash
# Start-up of a real Spring Boot web service (scripts/benchmarks/spring-service: spring-boot-starter-web,
# a fat jar with nested jars made by spring-boot-maven-plugin's repackage) with and without memwatch: the
# time from launching `java -jar` to the first 200 answer on /orders/1, many rounds, configurations in
# rotated order. memwatch configurations as in bench-overhead.sh, and allocations-off (allocations=false:
# memwatch's memory figures and GC only, no allocation source). After the timed part of each memwatch
# run, the service gets some requests and memwatch's /metrics is read: the run fails unless the top
# allocation sites of the request-handling code are named in the service's own package (example.orders).
#
#   scripts/bench-spring.sh                      # build, then 11 rounds
#   ROUNDS=5 CONFIGS="baseline memwatch" scripts/bench-spring.sh
#   SKIP_BUILD=1 AGENT_JAR=/path/to/memwatch-agent.jar scripts/bench-spring.sh
#   JAVA_HOME=/path/to/jdk scripts/bench-spring.sh
#   PREVIOUS_AGENT_JAR=/tmp/old.jar CONFIGS="baseline previous memwatch" scripts/bench-spring.sh   # two builds side by side
#
# Prints, per configuration: median, minimum and maximum time to ready; the median's ratio and
# difference against the baseline; the process's CPU time until ready; median peak RSS after 200 requests. Raw runs: scripts/benchmarks/target/spring-<time>.tsv.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

rounds=${ROUNDS:-11}
read -r -a configs <<<"${CONFIGS:-baseline hooks-everywhere memwatch}"
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
agent=${AGENT_JAR:-$root/agent/target/memwatch-agent.jar}
service=$root/scripts/benchmarks/spring-service/target/orders-service.jar
port=${SERVICE_PORT:-18080}
metrics_port=${METRICS_PORT:-19480}

if [[ -z ${SKIP_BUILD:-} ]]; then
  echo "bench-spring: building the agent and the service (tests skipped)..." >&2
  mvn -B -q -Dmaven.test.skip=true package -pl agent -am
  mvn -B -q -f scripts/benchmarks/spring-service/pom.xml package
fi
for jar in "$agent" "$service"; do
  [[ -f $jar ]] || { echo "bench-spring: $jar is missing; run without SKIP_BUILD" >&2; exit 1; }
done

config_args() {
  local mw="-javaagent:$agent=port=$metrics_port"
  case $1 in
    baseline) args=() ;;
    hooks-everywhere) args=("$mw,include=**,jfr=false${MEMWATCH_ARGS:+,$MEMWATCH_ARGS}") ;;
    hooks-own) args=("$mw,jfr=false${MEMWATCH_ARGS:+,$MEMWATCH_ARGS}") ;;
    sampler) args=("$mw,hooks=false${MEMWATCH_ARGS:+,$MEMWATCH_ARGS}") ;;
    memwatch) args=("$mw${MEMWATCH_ARGS:+,$MEMWATCH_ARGS}") ;;
    allocations-off) args=("$mw,allocations=false${MEMWATCH_ARGS:+,$MEMWATCH_ARGS}") ;;
    previous) [[ -n ${PREVIOUS_AGENT_JAR:-} ]] || { echo "bench-spring: 'previous' needs PREVIOUS_AGENT_JAR" >&2; exit 1; }
      args=("-javaagent:$PREVIOUS_AGENT_JAR=port=$metrics_port${MEMWATCH_ARGS:+,$MEMWATCH_ARGS}") ;;
    *) echo "bench-spring: unknown configuration '$1'" >&2; exit 1 ;;
  esac
}
for config in "${configs[@]}"; do config_args "$config"; done

stamp=$(date -u +%Y%m%d-%H%M%S)
raw=$root/scripts/benchmarks/target/spring-$stamp.tsv
logs=$root/scripts/benchmarks/target/spring-$stamp-logs
mkdir -p "$logs"

echo "# date: $(date -u +'%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
  "$([[ -n $(git status --porcelain -- agent collector 2>/dev/null) ]] && echo '(agent/collector with uncommitted changes)')"
echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)," \
  "$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# java: $("$java" -version 2>&1 | sed -n 2p)"
echo "# rounds: $rounds; configurations: ${configs[*]}; service: ${service#"$root"/}"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# One run: start the service, time it to its first answer, load it a little, check memwatch's sites, stop it.
run_once() {
  local config=$1 log=$2 start ready cpu pid sites rss
  config_args "$config"
  if curl -s -o /dev/null "http://127.0.0.1:$port/" || curl -s -o /dev/null "http://127.0.0.1:$metrics_port/"; then
    echo "bench-spring: port $port or $metrics_port is in use: set SERVICE_PORT and METRICS_PORT" >&2; exit 1
  fi
  start=$(now_ms)
  "$java" "${args[@]}" -jar "$service" --server.port="$port" --logging.level.root=warn >"$log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/orders/1"; do
    kill -0 "$pid" 2>/dev/null || { echo "bench-spring: $config exited early; see $log" >&2; exit 1; }
    (($(now_ms) - start < 120000)) || { kill "$pid"; echo "bench-spring: $config not ready in 120 s" >&2; exit 1; }
    sleep 0.02
  done
  ready=$(($(now_ms) - start))
  # The process's CPU time until then (utime + stime, in clock ticks of 10 ms): less at the mercy of the machine's load than wall time.
  cpu=$(awk '{print ($14 + $15) * 10}' "/proc/$pid/stat")
  for ((i = 0; i < 200; i++)); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/orders/50"
    curl -sf -o /dev/null "http://127.0.0.1:$port/keep/$i"
  done
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  sites=-
  if [[ $config != baseline && $config != allocations-off ]]; then
    sleep 2 # the JVM's sampler reaches memwatch about a second late
    # The three sites with the most bytes among those under the controller's request handling.
    sites=$(curl -s "http://127.0.0.1:$metrics_port/metrics" | grep '^memwatch_site_allocated_bytes_total{site="example\.orders\.OrdersController' \
      | sort -t' ' -k2 -g -r | head -3 | sed 's/.*site="\([^"]*\)",type="\([^"]*\)".*/\1 \2/' | paste -sd'|' -)
    [[ -n $sites ]] || { kill "$pid"; echo "bench-spring: $config named no site in example.orders.OrdersController; see $log" >&2; exit 1; }
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$config" "$ready" "$rss" "$sites" "$cpu" >>"$raw"
  printf 'round %d/%d %-18s ready %6d ms  cpu %6d ms  peak RSS %5d MiB  top sites %s\n' "$round" "$rounds" "$config" "$ready" "$cpu" $((rss / 1024)) "$sites" >&2
}

# One untimed run of each first: the page cache then holds the JDK and the jars.
round=0
printf 'round\tconfig\treadyMs\tvmHwmKiB\tsites\tcpuMs\n' >"$raw"
for config in "${configs[@]}"; do run_once "$config" "$logs/warm-$config.log"; done
printf 'round\tconfig\treadyMs\tvmHwmKiB\tsites\tcpuMs\n' >"$raw"
n=${#configs[@]}
for ((round = 1; round <= rounds; round++)); do
  for ((k = 0; k < n; k++)); do
    config=${configs[(round - 1 + k) % n]}
    run_once "$config" "$logs/$round-$config.log"
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
  { ready[$2] = ready[$2] " " $3; rss[$2] = rss[$2] " " $4; cpu[$2] = cpu[$2] " " $6; runs[$2]++ }
  END {
    n = split(order, names, " ")
    printf "%-18s %4s %10s %8s %8s %7s %9s %10s %7s %9s\n", "configuration", "runs", "ready ms", "min", "max", "ratio", "vs base", \
      "cpu ms", "ratio", "peak RSS"
    for (i = 1; i <= n; i++) {
      c = names[i]
      m = sorted(ready[c], v); med = m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
      k = sorted(rss[c], r); rmed = k % 2 ? r[(k + 1) / 2] : (r[k / 2] + r[k / 2 + 1]) / 2
      j = sorted(cpu[c], u); cmed = j % 2 ? u[(j + 1) / 2] : (u[j / 2] + u[j / 2 + 1]) / 2
      if (i == 1) { base = med; cbase = cmed }
      printf "%-18s %4d %10.0f %8.0f %8.0f %7.3f %+7.0f ms %10.0f %7.3f %5.0f MiB\n", c, runs[c], med, v[1], v[m], med / base, \
        med - base, cmed, cmed / cbase, rmed / 1024
    }
    printf "(medians; ratios and vs base against %s; cpu: the process'"'"'s CPU time until ready; peak RSS after 200 requests,\n", names[1]
    printf " heap not fixed)\n"
  }' "$raw"
