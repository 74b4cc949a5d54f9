/**
 * Worker-thread entry: receives `{id, task}` messages from ThreadPool, runs the CPU-bound task, and posts the
 * result back with its buffers transferred. Codecs (ZSTD is WASM) are initialised once before the first task.
 */
import { parentPort } from 'node:worker_threads';
import { runThreadTask } from '../raster/jobs/thread-task';
import { initCodecs } from '../raster/compression/decode-block';

const port = parentPort;
if (!port) throw new Error('kernel.thread must run in a worker thread');
const ready = initCodecs();

port.on('message', async (msg: { id: number; task: Parameters<typeof runThreadTask>[0] }) => {
  try {
    await ready;
    const { result, transfer } = await runThreadTask(msg.task);
    port.postMessage({ id: msg.id, ok: true, result }, transfer as never);
  } catch (err) {
    const e = err as Error & { code?: string; file?: string; detail?: string; retryable?: boolean };
    // `retryable` is read from the class's getter here: the clone that crosses to the activity is a plain object.
    port.postMessage({ id: msg.id, ok: false, error: { name: e.name, message: e.message, code: e.code, file: e.file, detail: e.detail, retryable: e.retryable } });
  }
});
