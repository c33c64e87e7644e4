#!/usr/bin/env bash
# neo4j-local.sh - build / start / stop / status of a local Neo4j Community 5.26
# (embedded, from Maven Central jars) with Bolt on 127.0.0.1 and auth disabled.
#
# Usage: tools/neo4j-local/neo4j-local.sh {build [--force]|start|stop|status|restart}
#
# Environment (defaults in brackets):
#   NEO4J_BOLT_PORT      Bolt port on 127.0.0.1                       [7687]
#   NEO4J_DATA_DIR       data dir: store, logs/, pid file, ready marker [<repo>/.neo4j-data]
#   NEO4J_HEAP           max heap (-Xmx)                              [1g]
#   NEO4J_HEAP_INITIAL   initial heap (-Xms)                          [256m, or NEO4J_HEAP if smaller]
#   NEO4J_PAGECACHE      page cache size (off heap)                   [512m]
#   NEO4J_START_TIMEOUT  seconds `start` waits for readiness          [180]
#   NEO4J_STOP_TIMEOUT   seconds `stop` waits before SIGKILL          [60]
#   NEO4J_JAVA_OPTS      extra JVM options, appended last (word-split) []
#   JAVA                 java executable                              [$JAVA_HOME/bin/java or java]
#
# Several instances can run side by side with different NEO4J_BOLT_PORT and NEO4J_DATA_DIR.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
TARGET_DIR="$SCRIPT_DIR/target"
JAR="$TARGET_DIR/neo4j-local.jar"
LIB_DIR="$TARGET_DIR/lib"
MAIN_CLASS="org.licencegraph.neo4jlocal.Neo4jLocal"

NEO4J_BOLT_PORT="${NEO4J_BOLT_PORT:-7687}"
NEO4J_DATA_DIR="${NEO4J_DATA_DIR:-$REPO_ROOT/.neo4j-data}"
NEO4J_HEAP="${NEO4J_HEAP:-1g}"
NEO4J_PAGECACHE="${NEO4J_PAGECACHE:-512m}"
NEO4J_START_TIMEOUT="${NEO4J_START_TIMEOUT:-180}"
NEO4J_STOP_TIMEOUT="${NEO4J_STOP_TIMEOUT:-60}"
NEO4J_JAVA_OPTS="${NEO4J_JAVA_OPTS:-}"
if [[ -z "${JAVA:-}" ]]; then
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
fi

PROG="neo4j-local"

die() { echo "$PROG: error: $*" >&2; exit 1; }
info() { echo "$PROG: $*"; }
warn() { echo "$PROG: warning: $*" >&2; }

if ! [[ "$NEO4J_BOLT_PORT" =~ ^[0-9]+$ ]] || (( NEO4J_BOLT_PORT < 1 || NEO4J_BOLT_PORT > 65535 )); then
  die "NEO4J_BOLT_PORT must be a TCP port number, got '$NEO4J_BOLT_PORT'"
fi
[[ "$NEO4J_START_TIMEOUT" =~ ^[0-9]+$ ]] || die "NEO4J_START_TIMEOUT must be whole seconds"
[[ "$NEO4J_STOP_TIMEOUT" =~ ^[0-9]+$ ]] || die "NEO4J_STOP_TIMEOUT must be whole seconds"

# Absolute data dir, whether or not it exists yet.
case "$NEO4J_DATA_DIR" in
  /*) ;;
  *) NEO4J_DATA_DIR="$PWD/$NEO4J_DATA_DIR" ;;
esac
NEO4J_DATA_DIR="${NEO4J_DATA_DIR%/}"
PID_FILE="$NEO4J_DATA_DIR/neo4j-local.pid"
READY_FILE="$NEO4J_DATA_DIR/ready"
LAUNCH_LOG="$NEO4J_DATA_DIR/neo4j-local.log"
DEBUG_LOG="$NEO4J_DATA_DIR/logs/debug.log"
BOLT_URL="bolt://127.0.0.1:$NEO4J_BOLT_PORT"

now() { date +%s.%N; }
elapsed_since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }

# Size like 512m / 1g / 1024k / 123 -> bytes.
to_bytes() {
  local v="${1,,}" n unit
  [[ "$v" =~ ^([0-9]+)([kmgt]?)b?$ ]] || die "bad size '$1' (use e.g. 512m, 1g)"
  n="${BASH_REMATCH[1]}"; unit="${BASH_REMATCH[2]}"
  case "$unit" in
    k) echo $(( n * 1024 )) ;; m) echo $(( n * 1024 * 1024 )) ;;
    g) echo $(( n * 1024 * 1024 * 1024 )) ;; t) echo $(( n * 1024 * 1024 * 1024 * 1024 )) ;;
    *) echo "$n" ;;
  esac
}

# True if something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# True if process $1 exists and is not a zombie. (An exited child of ours is reparented to
# PID 1; if that init reaps lazily, `kill -0` keeps succeeding on the zombie for seconds.)
pid_alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state="$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ "$state" != "Z" && "$state" != "X" ]]
}

# True if $1 is a live neo4j-local java process for THIS data dir (guards against pid reuse).
is_our_process() {
  local pid="$1" cmdline
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  pid_alive "$pid" || return 1
  cmdline="$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  grep -qxF "$MAIN_CLASS" <<<"$cmdline" && grep -qxF -- "-Dneo4j.local.dataDir=$NEO4J_DATA_DIR" <<<"$cmdline"
}

# Bolt port a running launcher was started with (from its command line).
proc_port() {
  tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | sed -n 's/^-Dneo4j\.local\.boltPort=//p' | head -n 1
}

read_pid() {
  if [[ -f "$PID_FILE" ]]; then tr -d ' \n' <"$PID_FILE"; fi
}

show_logs() {
  local f
  for f in "$LAUNCH_LOG" "$DEBUG_LOG"; do
    if [[ -s "$f" ]]; then
      echo "----- last 40 lines of $f -----" >&2
      tail -n 40 "$f" >&2
    fi
  done
  echo "----- (Neo4j logs: $NEO4J_DATA_DIR/logs/) -----" >&2
}

# ---------------------------------------------------------------------------------------------
# build

build_needed() {
  [[ -f "$JAR" && -d "$LIB_DIR" ]] || return 0
  [[ -n "$(find "$SCRIPT_DIR/pom.xml" "$SCRIPT_DIR/src" -newer "$JAR" -print -quit)" ]] && return 0
  [[ -n "$(find "$SCRIPT_DIR/pom.xml" -newer "$LIB_DIR" -print -quit)" ]] && return 0
  return 1
}

cmd_build() {
  local force="${1:-}"
  command -v mvn >/dev/null || die "mvn not found on PATH (needed to build $JAR)"
  mkdir -p "$TARGET_DIR"
  # Serialise concurrent builds (e.g. two instances started at once).
  exec 9>"$TARGET_DIR/.build.lock"
  flock 9
  if [[ "$force" != "--force" ]] && ! build_needed; then
    exec 9>&-
    return 0
  fi
  local t0; t0="$(now)"
  info "building $JAR (mvn package) ..."
  # (sed: Debian's mvn 3.8 prints stray ANSI resets even in batch mode; pipefail keeps mvn's status)
  if ! mvn -q -B -Dstyle.color=never -f "$SCRIPT_DIR/pom.xml" package -DskipTests 2>&1 \
      | sed -u $'s/\x1b\\[[0-9;]*m//g'; then
    exec 9>&-
    die "maven build failed"
  fi
  # copy-dependencies leaves target/lib's mtime alone when nothing changed: mark both fresh.
  touch "$JAR" "$LIB_DIR"
  exec 9>&-
  info "built in $(elapsed_since "$t0")s"
}

# ---------------------------------------------------------------------------------------------
# start

jvm_opts() {
  local heap_max heap_init
  heap_max="$(to_bytes "$NEO4J_HEAP")"
  heap_init="${NEO4J_HEAP_INITIAL:-256m}"
  if [[ -z "${NEO4J_HEAP_INITIAL:-}" ]] && (( $(to_bytes "$heap_init") > heap_max )); then
    heap_init="$NEO4J_HEAP"
  fi
  JVM_OPTS=(
    "-Xms$heap_init" "-Xmx$NEO4J_HEAP"
    # From the Neo4j 5.26 neo4j.conf defaults (server.jvm.additional), minus
    # -XX:+AlwaysPreTouch (pre-touching the whole heap makes start-up slow on small machines).
    -XX:+UseG1GC
    -XX:-OmitStackTraceInFastThrow
    -XX:+UnlockExperimentalVMOptions
    -XX:+TrustFinalNonStaticFields
    -XX:+DisableExplicitGC
    -Djdk.nio.maxCachedBufferSize=1024
    -Dio.netty.tryReflectionSetAccessible=true
    -Djdk.tls.ephemeralDHKeySize=2048
    -Djdk.tls.rejectClientInitiatedRenegotiation=true
    -XX:FlightRecorderOptions=stackdepth=256
    -XX:+UnlockDiagnosticVMOptions
    -XX:+DebugNonSafepoints
    --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=java.base/java.io=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --enable-native-access=ALL-UNNAMED
    -Dlog4j2.disable.jmx=true
    -Dlog4j.layout.jsonTemplate.maxStringLength=32768
    # Ours: die on OOM instead of limping on (the script then reports it), fixed encoding.
    -XX:+ExitOnOutOfMemoryError
    -Dfile.encoding=UTF-8
    # Launcher configuration (also readable from the env; explicit here so `ps` shows it and
    # the script can recognise its own process by data dir).
    "-Dneo4j.local.boltPort=$NEO4J_BOLT_PORT"
    "-Dneo4j.local.dataDir=$NEO4J_DATA_DIR"
    "-Dneo4j.local.pagecache=$NEO4J_PAGECACHE"
  )
  if [[ -n "$NEO4J_JAVA_OPTS" ]]; then
    # shellcheck disable=SC2206  # deliberate word splitting
    JVM_OPTS+=($NEO4J_JAVA_OPTS)
  fi
}

# Wait for the ready marker + an open Bolt port. $1 = pid, $2 = start timestamp.
wait_ready() {
  local pid="$1" t0="$2" deadline
  deadline=$(( $(date +%s) + NEO4J_START_TIMEOUT ))
  while :; do
    if ! pid_alive "$pid"; then
      rm -f "$PID_FILE" "$READY_FILE"
      echo "$PROG: error: the Neo4j process (pid $pid) exited during start-up" >&2
      show_logs
      exit 1
    fi
    if [[ -f "$READY_FILE" ]] && port_open "$NEO4J_BOLT_PORT"; then
      info "ready on $BOLT_URL (data $NEO4J_DATA_DIR, pid $pid, $(elapsed_since "$t0")s)"
      return 0
    fi
    if (( $(date +%s) >= deadline )); then
      echo "$PROG: error: Neo4j (pid $pid) not ready on $BOLT_URL within ${NEO4J_START_TIMEOUT}s; killing it" >&2
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do pid_alive "$pid" || break; sleep 0.25; done
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$PID_FILE" "$READY_FILE"
      show_logs
      exit 1
    fi
    sleep 0.25
  done
}

cmd_start() {
  local pid t0 major
  t0="$(now)"
  mkdir -p "$NEO4J_DATA_DIR"

  pid="$(read_pid)"
  if [[ -n "$pid" ]]; then
    if is_our_process "$pid"; then
      local running_port
      running_port="$(proc_port "$pid")"
      if [[ -n "$running_port" && "$running_port" != "$NEO4J_BOLT_PORT" ]]; then
        die "data dir $NEO4J_DATA_DIR is already in use by pid $pid on bolt port $running_port (asked for $NEO4J_BOLT_PORT); stop it first or use another NEO4J_DATA_DIR"
      fi
      if [[ -f "$READY_FILE" ]] && port_open "$NEO4J_BOLT_PORT"; then
        info "already running on $BOLT_URL (data $NEO4J_DATA_DIR, pid $pid)"
        return 0
      fi
      info "pid $pid is alive but not ready yet; waiting"
      wait_ready "$pid" "$t0"
      return 0
    fi
    info "removing stale pid file (pid $pid is not running)"
    rm -f "$PID_FILE" "$READY_FILE"
  fi

  if port_open "$NEO4J_BOLT_PORT"; then
    local owner=""
    command -v ss >/dev/null && owner="$(ss -H -ltnp "sport = :$NEO4J_BOLT_PORT" 2>/dev/null | head -n 3 || true)"
    die "port $NEO4J_BOLT_PORT on 127.0.0.1 is already in use by another process (not the neo4j-local instance of $NEO4J_DATA_DIR); choose another NEO4J_BOLT_PORT${owner:+
$owner}"
  fi

  command -v "$JAVA" >/dev/null || die "java not found (set JAVA or JAVA_HOME); Neo4j 5.26 needs Java 17 or 21"
  major="$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F' = ' '$1 ~ /^ *java\.specification\.version$/ {print $2}' || true)"
  if ! [[ "$major" =~ ^[0-9]+$ ]] || (( major < 17 )); then
    die "Java 17 or 21 needed, '$JAVA' is version '${major:-unknown}'"
  fi

  cmd_build

  jvm_opts
  rm -f "$READY_FILE"
  {
    echo
    echo "===== $(date -u +%Y-%m-%dT%H:%M:%SZ) $PROG start: $BOLT_URL heap=$NEO4J_HEAP pagecache=$NEO4J_PAGECACHE ====="
  } >>"$LAUNCH_LOG"
  # setsid: own session, so signals aimed at the caller's terminal/process group don't reach it.
  # (In a script job control is off, so setsid does not fork and $! is the java pid.)
  NEO4J_BOLT_PORT="$NEO4J_BOLT_PORT" NEO4J_DATA_DIR="$NEO4J_DATA_DIR" NEO4J_PAGECACHE="$NEO4J_PAGECACHE" \
    setsid nohup "$JAVA" "${JVM_OPTS[@]}" -cp "$JAR:$LIB_DIR/*" "$MAIN_CLASS" \
    >>"$LAUNCH_LOG" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  wait_ready "$pid" "$t0"
}

# ---------------------------------------------------------------------------------------------
# stop / status

cmd_stop() {
  local pid t0
  pid="$(read_pid)"
  if [[ -z "$pid" ]]; then
    info "not running (no pid file in $NEO4J_DATA_DIR)"
    return 0
  fi
  if ! is_our_process "$pid"; then
    rm -f "$PID_FILE" "$READY_FILE"
    info "not running (removed stale pid file, pid $pid)"
    return 0
  fi
  t0="$(now)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$(( $(date +%s) + NEO4J_STOP_TIMEOUT ))
  while pid_alive "$pid"; do
    if (( $(date +%s) >= deadline )); then
      warn "pid $pid did not exit within ${NEO4J_STOP_TIMEOUT}s after SIGTERM; sending SIGKILL (store will need recovery on next start)"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE" "$READY_FILE"
  info "stopped (pid $pid, data $NEO4J_DATA_DIR, $(elapsed_since "$t0")s)"
}

# Exit 0: running and accepting Bolt connections; 1: not running; 2: process alive, not ready.
cmd_status() {
  local pid
  pid="$(read_pid)"
  if [[ -n "$pid" ]] && is_our_process "$pid"; then
    if [[ -f "$READY_FILE" ]] && port_open "$NEO4J_BOLT_PORT"; then
      info "running on $BOLT_URL (data $NEO4J_DATA_DIR, pid $pid)"
      return 0
    fi
    info "process running (pid $pid) but not ready on $BOLT_URL (data $NEO4J_DATA_DIR)"
    return 2
  fi
  info "not running (data $NEO4J_DATA_DIR, port $NEO4J_BOLT_PORT)"
  return 1
}

usage() {
  # The header comment of this file, up to the first non-comment line.
  awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"
}

case "${1:-}" in
  build) cmd_build "${2:-}" ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  status) cmd_status ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
