import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../platform/config';
import { parse } from '../args';
import * as print from '../print';
import { progressLines, readStatus, statusJson } from './status';

export const WATCH_HELP = `Usage: tessera watch WORKFLOW_ID [--interval-ms N] [--json]

Shows a live progress bar until the run closes; exits 0 when it completed, 1 otherwise. For a backfill the bar
counts scenes (done, skipped, failed, running, ETA), and the exit code is 1 also when any scene failed.
--json prints one status object per line (the progress object under "progress").`;

export async function watchCommand(argv: string[], config: Config): Promise<number> {
  const { values, positionals } = parse(argv, { 'interval-ms': { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) {
    print.out(WATCH_HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    print.err('tessera watch: expected one WORKFLOW_ID');
    return 2;
  }
  const interval = Number(values['interval-ms'] ?? 1000);
  const tty = process.stdout.isTTY && !values.json;
  for (;;) {
    const s = await readStatus(config, positionals[0]);
    const now = Date.now();
    if (values.json) {
      process.stdout.write(`${JSON.stringify(statusJson(s, now))}\n`);
    } else {
      const line = progressLines(s, now)[0] ?? s.status;
      if (tty) process.stdout.write(`\r\x1b[2K${line}`);
      else print.out(line);
    }
    if (s.status !== 'RUNNING') {
      const failedScenes = s.backfill?.failed ?? 0;
      if (!values.json) {
        if (tty) print.out();
        print.out(`${s.workflowId}: ${s.status}${s.failure ? ` — ${s.failure}` : ''}${failedScenes ? ` — ${failedScenes} scenes failed` : ''}`);
        if (s.backfill?.recentFailures.length) for (const line of print.failureLines(s.backfill.recentFailures)) print.out(line);
      }
      return s.status === 'COMPLETED' && failedScenes === 0 ? 0 : 1;
    }
    await sleep(interval);
  }
}
