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
browser=() # LivePageBrowserTest drives the system's Chromium; with its recommended fonts the screenshots read well
[[ -x /usr/bin/chromium ]] || browser+=(chromium)
[[ -x /usr/bin/chromedriver ]] || browser+=(chromium-driver)
if ((${#missing[@]} + ${#browser[@]})); then
  echo "test: installing ${missing[*]} ${browser[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  if ((${#missing[@]})); then
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  if ((${#browser[@]})); then
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${browser[@]}"
  fi
fi

exec mvn -B verify "$@"
