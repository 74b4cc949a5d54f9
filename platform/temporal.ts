/**
 * Connection options for the Temporal server, built from `config.temporal`. The same object suits both
 * `NativeConnection.connect` (@temporalio/worker) and `Connection.connect` (@temporalio/client), so workers
 * and the CLI connect identically.
 *
 * TLS is explicit: `tls: false` when the config has none. (The SDK would otherwise turn TLS on by itself
 * whenever an API key is set; TEMPORAL_TLS=false must be able to keep it off, e.g. behind a TLS-terminating
 * local proxy.)
 */
import { readFile } from 'node:fs/promises';
import type { TemporalConfig } from './config';
import { ConfigError } from './config';

/** The TLS part, in the SDK's `TLSConfig` shape (file contents, not paths). */
export interface TemporalTlsOptions {
  serverNameOverride?: string;
  serverRootCACertificate?: Uint8Array;
  clientCertPair?: { crt: Uint8Array; key: Uint8Array };
}

export interface TemporalConnectionOptions {
  address: string;
  tls: TemporalTlsOptions | false;
  /** Secret: do not log this object as a whole without the logger's redaction. */
  apiKey?: string;
}

/**
 * Builds connection options, reading the TLS certificate and key files.
 * @throws ConfigError naming the env var of every certificate file that cannot be read.
 */
export async function connectionOptions(
  temporal: Pick<TemporalConfig, 'address' | 'tls' | 'apiKey'>,
): Promise<TemporalConnectionOptions> {
  const out: TemporalConnectionOptions = { address: temporal.address, tls: false };
  if (temporal.apiKey !== undefined) out.apiKey = temporal.apiKey;
  const t = temporal.tls;
  if (!t) return out;

  type Problem = { key: string; env: string; message: string };
  // Each read reports its own problem; they are collected in field order afterwards, because the
  // reads finish in whatever order the filesystem answers and the error must not depend on that.
  const read = async (path: string | undefined, key: string, env: string): Promise<Uint8Array | Problem | undefined> => {
    if (path === undefined) return undefined;
    try {
      return new Uint8Array(await readFile(path));
    } catch (err) {
      return { key, env, message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
    }
  };
  const results = await Promise.all([
    read(t.serverRootCaPath, 'temporal.tls.serverRootCaPath', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH'),
    read(t.clientCertPath, 'temporal.tls.clientCertPath', 'TEMPORAL_TLS_CLIENT_CERT_PATH'),
    read(t.clientKeyPath, 'temporal.tls.clientKeyPath', 'TEMPORAL_TLS_CLIENT_KEY_PATH'),
  ]);
  const problems = results.filter((r): r is Problem => r !== undefined && !(r instanceof Uint8Array));
  const [ca, crt, key] = results.map((r) => (r instanceof Uint8Array ? r : undefined));
  if (problems.length > 0) throw new ConfigError(problems);

  const tls: TemporalTlsOptions = {};
  if (t.serverName !== undefined) tls.serverNameOverride = t.serverName;
  if (ca) tls.serverRootCACertificate = ca;
  if (crt && key) tls.clientCertPair = { crt, key };
  out.tls = tls;
  return out;
}
