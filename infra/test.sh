#!/usr/bin/env bash
# The whole test run, as CI does it: install and build, check the cluster manifests, start the dev
# stack, run unit and integration tests in one `node --test` process. Arguments go to that process
# (e.g. --test-name-pattern=bloom). The stack is stopped at the end only if this script started it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash infra/install-tools.sh
bash infra/check-manifests.sh
node infra/check-imports.js

started_stack=
stop_stack() {
  if [[ -n $started_stack ]]; then bash infra/dev-stack.sh down || true; fi
}
if ! bash infra/dev-stack.sh status >/dev/null; then
  started_stack=1
  trap stop_stack EXIT
fi
bash infra/dev-stack.sh up

node infra/run-tests.js all "$@"
