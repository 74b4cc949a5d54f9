import { Client, Connection } from '@temporalio/client';
import type { Config } from '../platform/config';
import { connectionOptions } from '../platform/temporal';

/** Temporal cannot be reached at the configured address. */
export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
}

/** Connects a client, failing within seconds with the address in the message when no server answers. */
export async function connectClient(config: Config): Promise<{ client: Client; close: () => Promise<void> }> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...(await connectionOptions(config.temporal)), connectTimeout: '5s' });
  } catch (err) {
    throw new TemporalUnreachableError(
      `cannot reach Temporal at ${config.temporal.address} (${(err as Error).message.split('\n')[0]}); start it with "tessera dev up" or set TEMPORAL_ADDRESS`,
    );
  }
  return { client: new Client({ connection, namespace: config.temporal.namespace }), close: () => connection.close() };
}

/** Link to a workflow in the Temporal Web UI. */
export function workflowUiUrl(config: Config, workflowId: string): string {
  const base = config.temporal.uiUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
