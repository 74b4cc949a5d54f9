#!/usr/bin/env bash
# Installs and builds, starts the dev stack, then runs `tessera demo` with the given arguments.
# The stack stays up afterwards so its results can be browsed; `bash infra/dev-stack.sh down` stops it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash infra/install-tools.sh
bash infra/dev-stack.sh up
eval "$(bash infra/dev-stack.sh env)"
exec node dist/cli/main.js demo "$@"
