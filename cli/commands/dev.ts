import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as print from '../print';

export const DEV_HELP = `Usage: tessera dev up|down|status|env|logs

Local stack on loopback: a Temporal dev server (Web UI on :8233, SQLite under .data/) and MinIO (:9000, bucket
"tessera"). Installs the binaries into .tools/ when missing. "env" prints export lines for a shell:
  eval "$(tessera dev env)"`;

/** Runs infra/dev-stack.sh; the script is the single implementation, shared with the test and demo scripts. */
export function devCommand(argv: string[]): number {
  const sub = argv[0];
  if (!sub || sub === '--help' || sub === '-h') {
    print.out(DEV_HELP);
    return sub ? 0 : 2;
  }
  if (!['up', 'down', 'status', 'env', 'logs'].includes(sub)) {
    print.err(`tessera dev: unknown subcommand "${sub}" (expected up, down, status, env or logs)`);
    return 2;
  }
  const script = join(__dirname, '..', '..', '..', 'infra', 'dev-stack.sh');
  const r = spawnSync('bash', [script, sub, ...argv.slice(1)], { stdio: 'inherit' });
  return r.status ?? 1;
}
