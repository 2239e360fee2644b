#!/usr/bin/env bash
# Attach memwatch to a JVM that is already running, by its PID, or list the JVMs it can attach to.
#
#   scripts/attach.sh list                    # the JVMs of this user that accept attach
#   scripts/attach.sh list --check            # also attach to each to ask whether memwatch runs there
#   scripts/attach.sh PID [OPTIONS]           # e.g. scripts/attach.sh 12345 port=0,debug=true
#   scripts/attach.sh attach PID [OPTIONS]    # the same
#   JAVA_HOME=/path/to/jdk scripts/attach.sh ...
#
# Runs `java -jar agent/target/memwatch-agent.jar ...` (the jar's own attach tool), building the
# jar first if it is missing. Needs a JDK's java (the Attach API is not in JREs), the same user as
# the target JVM, and a /tmp both see. Exit status: the tool's; `scripts/attach.sh --help` lists them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jar=$root/agent/target/memwatch-agent.jar
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

if [[ ! -f $jar ]]; then
  echo "attach: building $jar (tests skipped)..." >&2
  (cd "$root" && mvn -B -q -DskipTests -DskipITs package -pl agent -am) >&2
fi
case ${1:-} in
  list | attach | help | -h | --help | '') ;;
  *) set -- attach "$@" ;; # scripts/attach.sh PID [OPTIONS]: whatever comes first is meant as the PID
esac
exec "$java" -jar "$jar" "$@"
