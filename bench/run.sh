#!/usr/bin/env bash
# Entry of `npm run bench`: installs what is missing (infra/install-tools.sh: GDAL, numpy, GNU time, temporal, minio,
# node_modules, build), starts the local dev stack for the Temporal rows, then runs the suite (bench/suite.ts).
# Flags pass through: --size N (2048) --bands 23|31 --runs N (3) --skip-temporal --skip-micro --skip-reference
# --profile. Scenes are cached in bench/.scenes/; results go to bench/results.json.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# install-tools.sh also brings GNU time, which measures peak RSS.
bash infra/install-tools.sh >&2
if [[ " $* " != *" --skip-temporal "* ]]; then bash infra/dev-stack.sh up >&2; fi
exec node dist/bench/suite.js "$@"
