#!/usr/bin/env bash
# Runs every test: unit tests, then integration tests that start real JVMs with the packaged
# agent and a real Prometheus. Installs what the tests need first (Debian packages) if missing.
#   scripts/test.sh                 # on the default JDK
#   JAVA_HOME=/path/to/jdk25 scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v mvn >/dev/null || missing+=(maven)
command -v promtool >/dev/null || missing+=(prometheus)
command -v curl >/dev/null || missing+=(curl) # SecureScrapeTest scrapes with a real curl
if ((${#missing[@]})); then
  echo "test: installing ${missing[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

exec mvn -B verify "$@"
