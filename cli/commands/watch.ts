import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../platform/config';
import { parse } from '../args';
import * as print from '../print';
import { readStatus } from './status';

export const WATCH_HELP = `Usage: tessera watch WORKFLOW_ID [--interval-ms N]

Shows a live progress bar until the run closes; exits 0 when it completed, 1 otherwise.`;

export async function watchCommand(argv: string[], config: Config): Promise<number> {
  const { values, positionals } = parse(argv, { 'interval-ms': { type: 'string' } });
  if (values.help) {
    print.out(WATCH_HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    print.err('tessera watch: expected one WORKFLOW_ID');
    return 2;
  }
  const interval = Number(values['interval-ms'] ?? 1000);
  const tty = process.stdout.isTTY;
  for (;;) {
    const s = await readStatus(config, positionals[0]);
    const line = s.progress ? print.progressLine(s.progress) : s.status;
    if (tty) process.stdout.write(`\r\x1b[2K${line}`);
    else print.out(line);
    if (s.status !== 'RUNNING') {
      if (tty) print.out();
      print.out(`${s.workflowId}: ${s.status}${s.failure ? ` — ${s.failure}` : ''}`);
      return s.status === 'COMPLETED' ? 0 : 1;
    }
    await sleep(interval);
  }
}
