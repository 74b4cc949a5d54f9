import type { Config } from '../../platform/config';
import { parse } from '../args';
import * as print from '../print';
import { connectClient } from '../temporal-client';

export const CANCEL_HELP = `Usage: tessera cancel WORKFLOW_ID

Requests cancellation of a run. Running activities are cancelled through their heartbeats (their worker
threads are stopped) and nothing further is published.`;

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
    await client.workflow.getHandle(positionals[0]).cancel();
    print.out(`cancellation requested for ${positionals[0]}`);
    return 0;
  } finally {
    await close();
  }
}
