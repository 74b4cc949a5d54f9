/** Public surface of the object-store layer. */
export * from './errors';
export * from './object-store';
export * from './uri';
export { FsObjectStore } from './fs';
export { MemoryObjectStore } from './memory';
export { S3ObjectStore, createS3Client, type S3ClientOptions, type S3StoreOptions, type S3StaticCredentials } from './s3';
export { StoreRouter, S3ClientCache, createStoreRouter, openStore, type StoreRouterOptions } from './open-store';
