#!/usr/bin/env bash
# Installs what `make test` needs and a fresh machine may lack: the Neo4j
# launcher's Maven dependencies, the web/ npm packages (playwright-core for
# the browser test), tools/http-audit's (graphql-http's audit suite) and
# Debian's Chromium, and a Python venv with followthemoney (the FtM export's
# check, tools/ftm) in the cache directory. Idempotent; quick when all is
# there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

log() { printf 'deps: %s\n' "$*" >&2; }

for tool in go java mvn node npm python3; do
  command -v "$tool" >/dev/null || { log "missing $tool: install it first (see README.md)"; exit 1; }
done

log "neo4j launcher (Maven)"
bash tools/neo4j-local/neo4j-local.sh build

if [ ! -d web/node_modules/playwright-core ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  log "npm ci in web/"
  npm ci --prefix web --no-audit --no-fund --loglevel=error
fi

if [ ! -d tools/http-audit/node_modules/graphql-http ] || [ tools/http-audit/package-lock.json -nt tools/http-audit/node_modules/.package-lock.json ]; then
  log "npm ci in tools/http-audit/"
  npm ci --prefix tools/http-audit --no-audit --no-fund --loglevel=error
fi

chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian's chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    log "Chromium not found at $chromium: run 'sudo apt-get install chromium' or set CHROMIUM_PATH"
    exit 1
  fi
fi

# followthemoney for the FtM export's test (internal/export), in a venv
# under the cache directory (LICENCEGRAPH_FTM_PYTHON overrides it); pip
# reinstalls when tools/ftm/requirements.txt is newer than the venv's mark.
ftm_venv="${XDG_CACHE_HOME:-$HOME/.cache}/licencegraph/ftm-venv"
if [ ! -x "$ftm_venv/bin/python" ] || [ tools/ftm/requirements.txt -nt "$ftm_venv/.installed" ]; then
  log "followthemoney (PyPI) into $ftm_venv"
  if ! python3 -m venv "$ftm_venv" >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      log "installing Debian's python3-venv"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
      python3 -m venv "$ftm_venv"
    else
      log "python3 -m venv failed: run 'sudo apt-get install python3-venv'"
      exit 1
    fi
  fi
  "$ftm_venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tools/ftm/requirements.txt
  touch "$ftm_venv/.installed"
fi

log "go modules"
go mod download
