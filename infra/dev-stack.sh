#!/usr/bin/env bash
# The local stack on loopback: a Temporal dev server (SQLite, Web UI) and MinIO.
#
#   infra/dev-stack.sh up                 install the binaries when missing, start what is not running,
#                                         wait until both answer, create the bucket
#   infra/dev-stack.sh down               stop both (TERM, then KILL after $TESSERA_STOP_TIMEOUT s)
#   infra/dev-stack.sh status             one line per service; exit 0 only when both are up
#   infra/dev-stack.sh env                export lines for a shell: eval "$(infra/dev-stack.sh env)"
#   infra/dev-stack.sh logs [temporal|minio] [-f]
#
# Settings (environment, defaults in brackets):
#   TESSERA_DATA_DIR [.data]   TESSERA_TOOLS_DIR [.tools]
#   TESSERA_TEMPORAL_PORT [7233]   TESSERA_UI_PORT [8233]   TESSERA_NAMESPACE [default]
#   TESSERA_MINIO_PORT [9000]   TESSERA_MINIO_CONSOLE_PORT [9001]   TESSERA_BUCKET [tessera]
#   MINIO_ROOT_USER [tessera]   MINIO_ROOT_PASSWORD [tessera-secret]   AWS_REGION [us-east-1]
#   TESSERA_START_TIMEOUT [90]   TESSERA_STOP_TIMEOUT [20]   (seconds)
#   TESSERA_TEMPORAL_DYNAMIC_CONFIG [one task-queue partition, priority matcher]: KEY=JSON pairs, space-separated
# A running stack keeps the settings it was started with (recorded in $TESSERA_DATA_DIR/run/stack.env);
# asking `up` for different ones while it runs is an error.
# Everything binds to 127.0.0.1. Data, logs and pid files live under $TESSERA_DATA_DIR.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
absolute() { if [[ $1 == /* ]]; then echo "$1"; else echo "$PWD/$1"; fi; }
DATA_DIR="$(absolute "${TESSERA_DATA_DIR:-$ROOT/.data}")"
TOOLS_DIR="$(absolute "${TESSERA_TOOLS_DIR:-$ROOT/.tools}")"
BIN_DIR="$TOOLS_DIR/bin"
RUN_DIR="$DATA_DIR/run"
LOG_DIR="$DATA_DIR/logs"
STATE_FILE="$RUN_DIR/stack.env"
readonly HOST=127.0.0.1
readonly SEARCH_ATTRIBUTES=(
  TesseraScene=Keyword
  TesseraSensor=Keyword
  TesseraStage=Keyword
  TesseraTilesDone=Int
  TesseraBloomFraction=Double
  TesseraBackfill=Keyword
  TesseraScenesDone=Int
  TesseraScenesFailed=Int
  TesseraSchedule=Keyword
  TesseraSceneSensor=Keyword
  TesseraSensorCursor=Datetime
)
# SQLite in write-ahead-log mode, synced at checkpoints rather than on every commit: a dev server survives its
# own crash or kill -9 (the reliability tests do both) and may lose the last commits only when the machine itself
# goes down. With the default (rollback journal, fsync per commit) the server spent its time in fsync, ~270 per
# second during a catalog run (docs/performance.md).
readonly SQLITE_PRAGMAS=(
  journal_mode=wal
  synchronous=normal
)
# Settings that describe a running stack; their defaults.
readonly SETTINGS=(
  TESSERA_TEMPORAL_PORT=7233
  TESSERA_UI_PORT=8233
  TESSERA_NAMESPACE=default
  TESSERA_MINIO_PORT=9000
  TESSERA_MINIO_CONSOLE_PORT=9001
  TESSERA_BUCKET=tessera
  MINIO_ROOT_USER=tessera
  MINIO_ROOT_PASSWORD=tessera-secret
  AWS_REGION=us-east-1
  # One partition per task queue: a single-process server gains nothing from more, and with the default four a
  # task can wait in one partition's backlog while a poller waits on another (docs/performance.md). Eager
  # activity execution stays off (the server's default): it hands a scene's activities to the worker that ran
  # its workflow task, so a second worker gets none of that scene's tiles. The priority-enabled matcher (off by
  # default in this server version) dispatches a scene's assembly and publish steps ahead of other scenes' tiles
  # (workflows/proxies.ts STAGE_PRIORITY).
  "TESSERA_TEMPORAL_DYNAMIC_CONFIG=matching.numTaskqueueReadPartitions=1 matching.numTaskqueueWritePartitions=1 matching.useNewMatcher=true"
)
START_TIMEOUT="${TESSERA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${TESSERA_STOP_TIMEOUT:-20}"

die() { echo "dev-stack: $*" >&2; exit 1; }

# --- processes -------------------------------------------------------------------------------

pid_file() { echo "$RUN_DIR/$1.pid"; }

# The command line a service of this stack runs with contains this marker (its data path),
# so a recycled pid or someone else's server is never taken for ours.
marker() {
  case $1 in
    temporal) echo "$DATA_DIR/temporal/temporal.db" ;;
    minio) echo "$DATA_DIR/minio" ;;
  esac
}

# Prints the pid of the running service, or fails (and removes a stale pid file).
running_pid() {
  local file pid cmdline state
  file="$(pid_file "$1")"
  [[ -f $file ]] || return 1
  pid="$(<"$file")"
  if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
    if [[ -r /proc/$pid/cmdline ]]; then
      cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline")"
      state="$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)"
    else
      cmdline="$(ps -p "$pid" -o command= 2>/dev/null || true)"
      state=R
    fi
    if [[ $state != Z && $cmdline == *"$(marker "$1")"* ]]; then
      echo "$pid"
      return 0
    fi
  fi
  rm -f "$file"
  return 1
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

temporal_healthy() {
  "$BIN_DIR/temporal" operator cluster health --address "$HOST:$TESSERA_TEMPORAL_PORT" \
    --command-timeout 3s >/dev/null 2>&1
}

minio_healthy() {
  local url="http://$HOST:$TESSERA_MINIO_PORT/minio/health/live"
  if command -v curl >/dev/null; then
    curl -fsS -o /dev/null --max-time 3 "$url" 2>/dev/null
  else
    node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(3000) })
      .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$url"
  fi
}

healthy() { "${1}_healthy"; }

# start NAME PORT...: runs the service in its own session with stdio in its log file.
start_service() {
  local name=$1; shift
  local ports=() port
  while [[ $1 != -- ]]; do ports+=("$1"); shift; done
  shift
  for port in "${ports[@]}"; do
    port_open "$port" && die "$name: port $HOST:$port is taken by another process" \
      "(set TESSERA_*_PORT to move the stack, or stop that process)"
  done
  local log="$LOG_DIR/$name.log"
  printf '\n==== %s start %s\n' "$(date -u +%FT%TZ)" "$name" >>"$log"
  if command -v setsid >/dev/null; then
    setsid "$@" >>"$log" 2>&1 </dev/null 9>&- &
  else
    nohup "$@" >>"$log" 2>&1 </dev/null 9>&- &
  fi
  echo $! >"$(pid_file "$name")"
}

start_temporal() {
  local sa=() dc=() a
  for a in "${SEARCH_ATTRIBUTES[@]}"; do sa+=(--search-attribute "$a"); done
  for a in $TESSERA_TEMPORAL_DYNAMIC_CONFIG; do dc+=(--dynamic-config-value "$a"); done
  for a in "${SQLITE_PRAGMAS[@]}"; do dc+=(--sqlite-pragma "$a"); done
  mkdir -p "$DATA_DIR/temporal"
  start_service temporal "$TESSERA_TEMPORAL_PORT" "$TESSERA_UI_PORT" -- \
    "$BIN_DIR/temporal" server start-dev \
    --ip "$HOST" --port "$TESSERA_TEMPORAL_PORT" --ui-port "$TESSERA_UI_PORT" \
    --db-filename "$(marker temporal)" --namespace "$TESSERA_NAMESPACE" "${sa[@]}" "${dc[@]}"
}

start_minio() {
  mkdir -p "$(marker minio)"
  start_service minio "$TESSERA_MINIO_PORT" "$TESSERA_MINIO_CONSOLE_PORT" -- \
    env MINIO_ROOT_USER="$MINIO_ROOT_USER" MINIO_ROOT_PASSWORD="$MINIO_ROOT_PASSWORD" \
    MINIO_UPDATE=off MINIO_CALLHOME_ENABLE=off MINIO_BROWSER_REDIRECT=off \
    "$BIN_DIR/minio" server "$(marker minio)" --quiet \
    --address "$HOST:$TESSERA_MINIO_PORT" --console-address "$HOST:$TESSERA_MINIO_CONSOLE_PORT"
}

wait_healthy() {
  local name=$1 deadline=$((SECONDS + START_TIMEOUT))
  until healthy "$name"; do
    if ! running_pid "$name" >/dev/null; then
      echo "dev-stack: $name exited during start-up; last lines of $LOG_DIR/$name.log:" >&2
      tail -n 30 "$LOG_DIR/$name.log" >&2
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "dev-stack: $name did not answer within ${START_TIMEOUT}s; last lines of $LOG_DIR/$name.log:" >&2
      tail -n 30 "$LOG_DIR/$name.log" >&2
      exit 1
    fi
    sleep 0.5
  done
}

stop_service() {
  local name=$1 pid deadline
  pid="$(running_pid "$name")" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while running_pid "$name" >/dev/null; do
    if ((SECONDS >= deadline)); then
      echo "dev-stack: $name (pid $pid) ignored TERM for ${STOP_TIMEOUT}s; sending KILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$(pid_file "$name")"
}

# --- settings ----------------------------------------------------------------------------------

any_running() { running_pid temporal >/dev/null || running_pid minio >/dev/null; }

# Resolves every setting: recorded value of a running stack, else the environment, else the default.
# With "strict", a setting asked for in the environment that differs from the running stack's is an error.
load_settings() {
  local strict=${1:-} kv key default requested recorded
  local -A rec=()
  if any_running && [[ -f $STATE_FILE ]]; then
    while IFS='=' read -r key recorded; do
      [[ -n $key ]] && rec[$key]=$recorded
    done <"$STATE_FILE"
  fi
  for kv in "${SETTINGS[@]}"; do
    key=${kv%%=*} default=${kv#*=}
    requested=${!key:-}
    if [[ -n ${rec[$key]+set} ]]; then
      if [[ $strict == strict && -n $requested && $requested != "${rec[$key]}" ]]; then
        die "the running stack has $key=${rec[$key]}, not $requested; run 'down' first"
      fi
      printf -v "$key" '%s' "${rec[$key]}"
    else
      printf -v "$key" '%s' "${requested:-$default}"
    fi
  done
  local port
  for port in TESSERA_TEMPORAL_PORT TESSERA_UI_PORT TESSERA_MINIO_PORT TESSERA_MINIO_CONSOLE_PORT; do
    if ! [[ ${!port} =~ ^[0-9]+$ ]] || ((${!port} < 1 || ${!port} > 65535)); then
      die "$port=${!port} is not a port number"
    fi
  done
}

save_settings() {
  local kv key
  (
    umask 077
    for kv in "${SETTINGS[@]}"; do
      key=${kv%%=*}
      printf '%s=%s\n' "$key" "${!key}"
    done >"$STATE_FILE.tmp"
  )
  mv "$STATE_FILE.tmp" "$STATE_FILE"
}

# --- commands ----------------------------------------------------------------------------------

# Serialises up and down, e.g. test processes that start the stack at the same time.
# The services are started with fd 9 closed, so they never hold the lock.
take_lock() {
  mkdir -p "$RUN_DIR"
  exec 9>"$RUN_DIR/lock"
  if command -v flock >/dev/null; then
    flock -w "$((START_TIMEOUT + 60))" 9 || die "timed out waiting for $RUN_DIR/lock"
  fi
}

cmd_up() {
  take_lock
  load_settings strict
  if ! bash "$ROOT/infra/install-tools.sh" --check; then
    bash "$ROOT/infra/install-tools.sh" --tools-only >&2
  fi
  [[ -f $ROOT/node_modules/@aws-sdk/client-s3/package.json ]] ||
    die "node_modules is missing; run infra/install-tools.sh first"
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  any_running || rm -f "$STATE_FILE"
  save_settings
  local name started=()
  for name in temporal minio; do
    running_pid "$name" >/dev/null || { "start_$name"; started+=("$name"); }
  done
  for name in temporal minio; do wait_healthy "$name"; done
  local tries=0 bucket_out
  until bucket_out="$(stack_env node "$ROOT/infra/ensure-bucket.js" "$TESSERA_BUCKET" 2>&1)"; do
    ((++tries < 10)) || die "could not create bucket '$TESSERA_BUCKET': $bucket_out"
    sleep 1
  done
  if ((${#started[@]})); then cmd_status; fi
}

cmd_down() {
  take_lock
  load_settings
  stop_service temporal
  stop_service minio
  rm -f "$STATE_FILE"
}

cmd_status() {
  load_settings
  local rc=0 pid
  if pid="$(running_pid temporal)" && temporal_healthy; then
    printf 'temporal  up    %s:%s  ui http://%s:%s  namespace %s  pid %s\n' \
      "$HOST" "$TESSERA_TEMPORAL_PORT" "$HOST" "$TESSERA_UI_PORT" "$TESSERA_NAMESPACE" "$pid"
  else
    printf 'temporal  down  %s:%s%s\n' "$HOST" "$TESSERA_TEMPORAL_PORT" "${pid:+  (pid $pid not answering)}"
    rc=1
  fi
  pid=
  if pid="$(running_pid minio)" && minio_healthy; then
    printf 'minio     up    http://%s:%s  console http://%s:%s  bucket %s  pid %s\n' \
      "$HOST" "$TESSERA_MINIO_PORT" "$HOST" "$TESSERA_MINIO_CONSOLE_PORT" "$TESSERA_BUCKET" "$pid"
  else
    printf 'minio     down  http://%s:%s%s\n' "$HOST" "$TESSERA_MINIO_PORT" "${pid:+  (pid $pid not answering)}"
    rc=1
  fi
  return "$rc"
}

# Single-quotes a value for a POSIX shell.
shell_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# name=value lines of the client environment, unquoted.
client_env() {
  cat <<END
TEMPORAL_ADDRESS=$HOST:$TESSERA_TEMPORAL_PORT
TEMPORAL_NAMESPACE=$TESSERA_NAMESPACE
TEMPORAL_UI_URL=http://$HOST:$TESSERA_UI_PORT
AWS_ENDPOINT_URL_S3=http://$HOST:$TESSERA_MINIO_PORT
AWS_ACCESS_KEY_ID=$MINIO_ROOT_USER
AWS_SECRET_ACCESS_KEY=$MINIO_ROOT_PASSWORD
AWS_REGION=$AWS_REGION
TESSERA_BUCKET=$TESSERA_BUCKET
TESSERA_TEMPORAL_BIN=$BIN_DIR/temporal
END
}

# Runs a command with the client environment.
stack_env() {
  local vars=() line
  while IFS= read -r line; do vars+=("$line"); done < <(client_env)
  env "${vars[@]}" "$@"
}

cmd_env() {
  load_settings
  local line
  while IFS= read -r line; do
    echo "export ${line%%=*}=$(shell_quote "${line#*=}")"
  done < <(client_env)
  case ":$PATH:" in
    *":$BIN_DIR:"*) ;;
    *) echo "export PATH=$(shell_quote "$BIN_DIR"):\"\$PATH\"" ;;
  esac
}

cmd_logs() {
  local names=() follow=
  while (($#)); do
    case $1 in
      temporal|minio) names+=("$1") ;;
      -f|--follow) follow=1 ;;
      *) die "logs: unknown argument '$1' (expected temporal, minio or -f)" ;;
    esac
    shift
  done
  ((${#names[@]})) || names=(temporal minio)
  local files=() name
  for name in "${names[@]}"; do
    [[ -f $LOG_DIR/$name.log ]] && files+=("$LOG_DIR/$name.log")
  done
  ((${#files[@]})) || die "no logs yet under $LOG_DIR"
  if [[ -n $follow ]]; then exec tail -n 50 -F "${files[@]}"; fi
  tail -n 50 "${files[@]}"
}

case "${1:-}" in
  up|down|status|env|logs) cmd=$1; shift; "cmd_$cmd" "$@" ;;
  -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
