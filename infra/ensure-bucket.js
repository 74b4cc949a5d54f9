#!/usr/bin/env node
// Creates an S3 bucket unless it exists already: `node infra/ensure-bucket.js [bucket]`.
//
// Reads the standard AWS variables (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, AWS_REGION,
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); the bucket defaults to TESSERA_BUCKET.
// Path-style addressing is used whenever an endpoint is set, as MinIO needs.
// Used by infra/dev-stack.sh and by the compose file's bucket-init service.
'use strict';

const {
  S3Client,
  HeadBucketCommand,
  CreateBucketCommand,
} = require('@aws-sdk/client-s3');

async function main() {
  const bucket = process.argv[2] || process.env.TESSERA_BUCKET;
  if (!bucket) throw new Error('no bucket given (argument or TESSERA_BUCKET)');
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || undefined;
  const region = process.env.AWS_REGION || 'us-east-1';
  const s3 = new S3Client({ region, endpoint, forcePathStyle: endpoint !== undefined, maxAttempts: 2 });
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (err) {
    const status = err && err.$metadata && err.$metadata.httpStatusCode;
    if (status !== 404) throw err;
  }
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        // us-east-1 is the one region that must not be named in the request.
        ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region } }),
      }),
    );
  } catch (err) {
    // Another process won the race; the bucket is there, which is all we want.
    if (!(err && err.name === 'BucketAlreadyOwnedByYou')) throw err;
  }
}

main().catch((err) => {
  const status = err && err.$metadata && err.$metadata.httpStatusCode;
  console.error(`ensure-bucket: ${err && err.name}: ${err && err.message}${status ? ` (HTTP ${status})` : ''}`);
  process.exit(1);
});
