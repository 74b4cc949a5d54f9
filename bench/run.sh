#!/usr/bin/env bash
# Entry of `npm run bench`: installs what is missing (infra/install-tools.sh: GDAL, numpy, GNU time, temporal, minio,
# node_modules, build), then runs the suite (bench/suite.ts). The Temporal rows run on private servers the suite
# starts and stops itself (free loopback ports, temporary data), never on the shared dev stack.
# Flags pass through: --size N (2048) --bands 23|31 --runs N (3) --skip-temporal --skip-micro --skip-reference
# --profile. `--catalog` runs the catalog benchmark instead (bench/catalog.ts: --runs --rows --tessera
# --dynamic-config --label --profile). Scenes are cached in bench/.scenes/; results go to bench/results.json.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# install-tools.sh also brings GNU time, which measures peak RSS.
bash infra/install-tools.sh >&2
exec node dist/bench/suite.js "$@"
