#!/usr/bin/env bash
# Runs the demo service with the memwatch agent attached and prints where to look.
#   scripts/demo.sh                  # build if needed, then run until Ctrl-C
#   DEMO_PORT=8081 MEMWATCH_PORT=9405 scripts/demo.sh
#   MEMWATCH_ARGS='debug=true' scripts/demo.sh   # extra agent options
#   DEMO_PATHS=/cache,/cache-lru DEMO_LOAD=20 scripts/demo.sh   # other endpoints, more load
set -euo pipefail
cd "$(dirname "$0")/.."

demo_port=${DEMO_PORT:-8080}
metrics_port=${MEMWATCH_PORT:-9404}
load=${DEMO_LOAD:-20}
agent=agent/target/memwatch-agent.jar
demo=scripts/demo/target/memwatch-demo.jar

if [[ ! -f $agent || ! -f $demo || -n ${REBUILD:-} ]]; then
  echo "demo: building memwatch (mvn package, tests skipped)..." >&2
  mvn -B -q -DskipTests package
fi

# The demo turns the heap dump endpoint on with a fresh token; your services keep it off unless you choose.
token=${MEMWATCH_HEAP_DUMP_TOKEN:-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}
export MEMWATCH_HEAP_DUMP_TOKEN=$token

cat >&2 <<MSG
demo: starting the demo service with memwatch attached
  live page:   http://127.0.0.1:${metrics_port}/          (open it in a browser: memory, live set, verdict, sites)
  metrics:     http://127.0.0.1:${metrics_port}/metrics   (try: curl -s http://127.0.0.1:${metrics_port}/metrics | grep ^memwatch_)
  the service: http://127.0.0.1:${demo_port}/      /leak leaks on every request, /ok does not
  it sends itself ${load} requests/s to each of ${DEMO_PATHS:-/ok,/leak}; a leaking endpoint keeps about
  100 KB a request (2 MiB/s), so a leak is suspected within about a minute and the 512 MiB heap runs
  out about three minutes after that (an OutOfMemoryError: that is the point). Ctrl-C stops it.
  the leak:    curl -s http://127.0.0.1:${metrics_port}/metrics | grep -E '^memwatch_(heap_live|leak|heap_exhaustion|site_live)'
  a heap dump: curl -s -X POST -H "Authorization: Bearer ${token}" http://127.0.0.1:${metrics_port}/heapdump
  Prometheus with the alert rules: scripts/prometheus.sh (in another terminal)
MSG

exec java -Xmx512m \
  "-javaagent:${agent}=port=${metrics_port},heapDumpEndpoint=true${MEMWATCH_ARGS:+,${MEMWATCH_ARGS}}" \
  -jar "$demo" --port "$demo_port" --load "$load" --paths "${DEMO_PATHS:-/ok,/leak}"
