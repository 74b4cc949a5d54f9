/**
 * Picks the store for a URI by its scheme, so callers hold one `ObjectStore` for every location:
 * `file://` and plain paths -> FsObjectStore, `s3://` -> S3ObjectStore, `memory://` -> MemoryObjectStore,
 * `http://` and `https://` -> one read-only HttpObjectStore.
 *
 * S3 clients are expensive (SDK load, sockets, credential resolution), so one is created per endpoint,
 * region and addressing style, on first use, and shared by every store built from the same cache.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config';
import { FsObjectStore } from './fs';
import { HttpObjectStore, type HttpStoreOptions } from './http';
import { MemoryObjectStore } from './memory';
import type { CountingByteSource, ObjectInfo, ObjectStore, ObjectWriter, PutOptions, SourceOptions } from './object-store';
import { type S3ClientOptions, S3ObjectStore, createS3Client } from './s3';
import { parseUri, type UriScheme } from './uri';

export interface StoreRouterOptions {
  /** Only for tests and embedding; see S3ClientOptions. */
  s3?: Partial<Pick<S3ClientOptions, 'credentials' | 'maxAttempts'>>;
  /** Multipart part size for S3 writers. @default 8 MiB @format bytes */
  s3PartSizeBytes?: number;
  /** The store behind `memory://` (to share one between routers). @default a new, empty store */
  memory?: MemoryObjectStore;
  /** Retries and timeouts of http(s) reads. @default httpFetch's defaults */
  http?: HttpStoreOptions;
}

/** An ObjectStore that dispatches every call to the store of the URI's scheme. */
export class StoreRouter implements ObjectStore {
  private readonly fs = new FsObjectStore();
  private readonly memory: MemoryObjectStore;
  private s3?: S3ObjectStore;
  private http?: HttpObjectStore;

  constructor(
    private readonly config: Pick<Config, 's3'>,
    private readonly opts: StoreRouterOptions = {},
    private readonly clients: S3ClientCache = new S3ClientCache(),
  ) {
    this.memory = opts.memory ?? new MemoryObjectStore();
  }

  /** The backend for a URI's scheme. @throws InvalidUriError */
  storeFor(uri: string): ObjectStore {
    return this.byScheme(parseUri(uri).scheme);
  }

  source(uri: string, opts?: SourceOptions): CountingByteSource {
    return this.storeFor(uri).source(uri, opts);
  }
  get(uri: string): Promise<Uint8Array> {
    return this.storeFor(uri).get(uri);
  }
  head(uri: string): Promise<ObjectInfo | undefined> {
    return this.storeFor(uri).head(uri);
  }
  put(uri: string, body: ArrayBufferView | string, opts?: PutOptions): Promise<ObjectInfo> {
    return this.storeFor(uri).put(uri, body, opts);
  }
  createWriter(uri: string, opts?: PutOptions): Promise<ObjectWriter> {
    return this.storeFor(uri).createWriter(uri, opts);
  }
  list(prefixUri: string): AsyncIterable<ObjectInfo> {
    return this.storeFor(prefixUri).list(prefixUri);
  }
  delete(uri: string): Promise<void> {
    return this.storeFor(uri).delete(uri);
  }
  deletePrefix(prefixUri: string): Promise<void> {
    return this.storeFor(prefixUri).deletePrefix(prefixUri);
  }

  /** Releases the S3 clients this router's cache created. */
  async close(): Promise<void> {
    this.s3 = undefined;
    await this.clients.close();
  }

  private byScheme(scheme: UriScheme): ObjectStore {
    switch (scheme) {
      case 'file':
        return this.fs;
      case 'memory':
        return this.memory;
      case 's3': {
        const options: S3ClientOptions = { ...this.config.s3, ...this.opts.s3 };
        this.s3 ??= new S3ObjectStore({ ...options, client: () => this.clients.get(options), partSizeBytes: this.opts.s3PartSizeBytes });
        return this.s3;
      }
      case 'http':
      case 'https':
        this.http ??= new HttpObjectStore(this.opts.http);
        return this.http;
    }
  }
}

/** One S3 client per endpoint / region / addressing style / credentials. */
export class S3ClientCache {
  private readonly clients = new Map<string, Promise<S3Client>>();

  get(opts: S3ClientOptions): Promise<S3Client> {
    // Explicit credentials are part of the identity, but only by access key id: the secret stays out of keys.
    const id = [opts.endpoint ?? 'aws', opts.region, opts.forcePathStyle, opts.credentials?.accessKeyId ?? 'default-chain', opts.maxAttempts ?? ''].join('|');
    let client = this.clients.get(id);
    if (!client) {
      client = createS3Client(opts);
      client.catch(() => this.clients.delete(id));
      this.clients.set(id, client);
    }
    return client;
  }

  async close(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    for (const c of all) (await c.catch(() => undefined))?.destroy();
  }
}

/** Creates a router (the usual way to get the process's ObjectStore). */
export function createStoreRouter(config: Pick<Config, 's3'>, opts?: StoreRouterOptions): StoreRouter {
  return new StoreRouter(config, opts);
}

const sharedClients = new S3ClientCache();
const sharedMemory = new MemoryObjectStore();

/**
 * The store for one URI's scheme. S3 clients are shared process-wide through one cache, and `memory://`
 * URIs all reach one process-wide memory store.
 * @throws InvalidUriError for a malformed URI or an unknown scheme.
 */
export function openStore(uri: string, config: Pick<Config, 's3'>, opts: Omit<StoreRouterOptions, 'memory'> = {}): ObjectStore {
  return new StoreRouter(config, { ...opts, memory: sharedMemory }, sharedClients).storeFor(uri);
}
