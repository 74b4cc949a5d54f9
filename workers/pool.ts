import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ThreadTask, ThreadTaskResult } from '../raster/jobs/thread-task';

/** Raised when a task is cancelled through its AbortSignal; the thread running it is terminated. */
export class TaskCancelledError extends Error {
  override readonly name = 'TaskCancelledError';
}

interface Job {
  id: number;
  task: ThreadTask;
  transfer: ArrayBuffer[];
  signal?: AbortSignal;
  resolve(value: ThreadTaskResult): void;
  reject(err: unknown): void;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  /** performance.now() when the current job was posted to the thread. */
  startedAt?: number;
  /** Milliseconds from post to reply, summed over this slot's thread and the threads it replaced. */
  taskMs: number;
  /** Event-loop active time of the threads this slot had before the current one (each replacement starts at 0). */
  pastActiveMs: number;
  tasks: number;
}

/** Busy time of one pool thread since the pool started. */
export interface ThreadStats {
  /**
   * Milliseconds the thread's own event loop was active (`worker.performance.eventLoopUtilization()`): the time it
   * computed, measured on the thread, so a busy main thread that reads replies late does not inflate it.
   */
  busyMs: number;
  /** Milliseconds from handing a task to the thread until the main thread read its reply, summed. */
  taskMs: number;
  /** Tasks finished (replied to, successfully or not). */
  tasks: number;
}

/** What the pool's threads did since it started: busy ÷ `uptimeMs` is a thread's utilisation. */
export interface PoolStats {
  /** Milliseconds since the pool was created. */
  uptimeMs: number;
  threads: ThreadStats[];
}

/**
 * A fixed pool of worker threads for CPU-bound raster work (decode → kernels → encode).
 *
 * Activities await `run()` on the main thread, whose event loop therefore stays free to heartbeat. Buffers move
 * as transferables in both directions (no copies). Cancelling a task's AbortSignal rejects it at once and, if a
 * thread is already computing it, terminates that thread and starts a fresh one: JavaScript cannot interrupt a
 * running loop any other way. Size 0 runs tasks inline on the calling thread (unit tests, debugging).
 */
export class ThreadPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  /** Tasks completed since start (all threads). */
  completed = 0;
  private readonly createdAt = performance.now();

  constructor(
    readonly size: number = availableParallelism(),
    private readonly script: string = join(__dirname, 'kernel.thread.js'),
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /** Runs one task; `transfer` lists buffers in the task to move rather than copy. */
  async run(task: ThreadTask, transfer: ArrayBuffer[] = [], signal?: AbortSignal): Promise<ThreadTaskResult> {
    if (this.closed) throw new Error('thread pool is closed');
    if (signal?.aborted) throw new TaskCancelledError('task cancelled before it started');
    if (this.size === 0) {
      const { runThreadTask } = await import('../raster/jobs/thread-task');
      return (await runThreadTask(task)).result;
    }
    return new Promise<ThreadTaskResult>((resolve, reject) => {
      const job: Job = { id: this.nextId++, task, transfer, signal, resolve, reject };
      if (signal) {
        job.onAbort = () => this.cancel(job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.dispatch();
    });
  }

  /**
   * Busy time per thread since the pool started. A worker reports it at shutdown and on SIGUSR2 (workers/main.ts),
   * so a benchmark can divide the busy time of a run by its wall time.
   */
  stats(): PoolStats {
    const now = performance.now();
    return {
      uptimeMs: Math.round(now - this.createdAt),
      threads: this.slots.map((s) => ({
        busyMs: Math.round(s.pastActiveMs + s.worker.performance.eventLoopUtilization().active),
        taskMs: Math.round(s.taskMs + (s.startedAt === undefined ? 0 : now - s.startedAt)),
        tasks: s.tasks,
      })),
    };
  }

  /** Terminates all threads; queued tasks are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) this.settle(job, new Error('thread pool closed'));
    await Promise.all(this.slots.map(async (s) => {
      if (s.job) this.settle(s.job, new Error('thread pool closed'));
      await s.worker.terminate();
    }));
  }

  private spawn(carried: Pick<Slot, 'taskMs' | 'pastActiveMs' | 'tasks'> = { taskMs: 0, pastActiveMs: 0, tasks: 0 }): Slot {
    const slot: Slot = { worker: new Worker(this.script), ...carried };
    slot.worker.on('message', (msg: { id: number; ok: boolean; result?: ThreadTaskResult; error?: { name: string; message: string; code?: string; file?: string; detail?: string } }) => {
      const job = slot.job;
      if (!job || job.id !== msg.id) return;
      slot.job = undefined;
      this.endBusy(slot);
      this.completed++;
      if (msg.ok) this.settle(job, undefined, msg.result);
      else this.settle(job, reviveError(msg.error!));
      this.dispatch();
    });
    slot.worker.on('error', (err) => this.replace(slot, err));
    slot.worker.on('exit', (code) => {
      if (!this.closed && this.slots.includes(slot)) this.replace(slot, new Error(`worker thread exited with code ${code}`));
    });
    return slot;
  }

  private replace(slot: Slot, err: unknown): void {
    const idx = this.slots.indexOf(slot);
    if (idx < 0 || this.closed) return;
    if (slot.job) this.settle(slot.job, err);
    slot.job = undefined;
    this.endBusy(slot);
    // The replacement keeps the slot's counters: stats are per position in the pool, not per thread object.
    this.slots[idx] = this.spawn({ taskMs: slot.taskMs, tasks: slot.tasks, pastActiveMs: slot.pastActiveMs + slot.worker.performance.eventLoopUtilization().active });
    void slot.worker.terminate();
    this.dispatch();
  }

  private cancel(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(job, new TaskCancelledError('task cancelled while queued'));
      return;
    }
    const slot = this.slots.find((s) => s.job === job);
    if (slot) this.replace(slot, new TaskCancelledError('task cancelled; its thread was terminated'));
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.job) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.job = job;
      slot.startedAt = performance.now();
      slot.worker.postMessage({ id: job.id, task: job.task }, job.transfer as never);
    }
  }

  private endBusy(slot: Slot): void {
    if (slot.startedAt === undefined) return;
    slot.taskMs += performance.now() - slot.startedAt;
    slot.startedAt = undefined;
    slot.tasks++;
  }

  private settle(job: Job, err?: unknown, result?: ThreadTaskResult): void {
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    if (err !== undefined) job.reject(err);
    else job.resolve(result!);
  }
}

/**
 * Rebuilds an error thrown in a thread: its class name and its `retryable` decision survive (the activity layer
 * fails non-retryably on `retryable === false`, activities/failures.ts).
 */
function reviveError(e: { name: string; message: string; code?: string; file?: string; detail?: string; retryable?: boolean }): Error {
  const err = new Error(e.message) as Error & { code?: string; file?: string; detail?: string; retryable?: boolean };
  err.name = e.name;
  if (typeof e.retryable === 'boolean') err.retryable = e.retryable;
  if (e.code) err.code = e.code;
  if (e.file) err.file = e.file;
  if (e.detail) err.detail = e.detail;
  return err;
}
