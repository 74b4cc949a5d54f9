import type { Config } from '../../platform/config';
import { parse } from '../args';
import * as print from '../print';
import { connectClient } from '../temporal-client';

export const CANCEL_HELP = `Usage: tessera cancel WORKFLOW_ID

Requests cancellation of a run. Running activities are cancelled through their heartbeats (their worker
threads are stopped) and nothing further is published. Cancelling a backfill cancels its running scene runs too;
each cleans up its intermediates, and the backfill writes no result.`;

export async function cancelCommand(argv: string[], config: Config): Promise<number> {
  const { values, positionals } = parse(argv, {});
  if (values.help) {
    print.out(CANCEL_HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    print.err('tessera cancel: expected one WORKFLOW_ID');
    return 2;
  }
  const { client, close } = await connectClient(config);
  try {
    const handle = client.workflow.getHandle(positionals[0]);
    const { type, status } = await handle.describe();
    if (status.name !== 'RUNNING') {
      print.out(`${positionals[0]} is already ${status.name}; nothing to cancel`);
      return 0;
    }
    await handle.cancel();
    if (type === 'backfill') {
      print.out(`cancellation requested for backfill ${positionals[0]}: its running scene runs are cancelled too and clean up; no result is written`);
    } else {
      print.out(`cancellation requested for ${positionals[0]}`);
    }
    return 0;
  } finally {
    await close();
  }
}
