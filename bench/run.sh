#!/usr/bin/env bash
# Entry of `npm run bench`: builds when the compiled benchmarks are missing or older than any source, then runs
# the suite (bench/suite.ts). Flags pass through: --size N (2048) --bands 23|31 --runs N (3) --skip-temporal
# --skip-micro --skip-reference --profile. Scenes are cached in bench/.scenes/; results go to bench/results.json.
# The Temporal rows need the dev stack (bash infra/dev-stack.sh up); without it they are skipped with a note.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [[ ! -f dist/bench/suite.js || ! -f dist/cli/main.js ]] \
  || [[ -n "$(find raster platform activities workflows workers cli bench -name '*.ts' -newer dist/bench/suite.js -print -quit)" ]]; then
  echo "[bench] building (tsc)" >&2
  # Errors in folders under edit elsewhere do not stop the emit; the suite fails loudly if its own code is broken.
  npx tsc -p tsconfig.json >&2 || echo "[bench] tsc reported errors (see above); continuing with the emitted JavaScript" >&2
fi
command -v /usr/bin/time >/dev/null || { echo "bench: /usr/bin/time is missing (apt-get install -y time)" >&2; exit 1; }
exec node dist/bench/suite.js "$@"
