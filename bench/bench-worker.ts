/**
 * A `tessera worker` process the benchmark started, and what it reads from it: CPU time and peak RSS from /proc,
 * and the thread pool's busy time from the `thread pool stats` log line it writes on SIGUSR2 (workers/main.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { sleep } from '../test/reliability/private-stack';

const CLK_TCK = 100;
const START_TIMEOUT_MS = 120_000;

/** workers/pool.ts PoolStats, as logged. */
export interface PoolStatsLine {
  uptimeMs: number;
  threads: Array<{ busyMs: number; taskMs: number; tasks: number }>;
}

export interface BenchWorker {
  pid: number;
  name: string;
  /** Logs the pool's stats (SIGUSR2) and resolves with them; undefined when the build has no such handler. */
  poolStats(): Promise<PoolStatsLine | undefined>;
  cpuS(): number;
  peakRssMB(): number;
  stop(): Promise<void>;
}

/** utime + stime of every thread of the process, in seconds. */
export function procCpuS(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/**
 * Seconds the process's threads ran on a CPU and waited runnable for one (/proc/<pid>/task/<tid>/schedstat),
 * summed over its threads. The wait is what others' load on the machine cost: busy time from the event loop
 * counts it as busy, CPU time does not count it at all.
 */
export function procSchedS(pid: number): { onCpuS: number; runQueueS: number } {
  let onCpu = 0;
  let wait = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const [run, queued] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      onCpu += run;
      wait += queued;
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return { onCpuS: onCpu / 1e9, runQueueS: wait / 1e9 };
}

export function procPeakRssMB(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
}

/**
 * Wraps a spawned worker whose JSON log lines arrive through `onLog`. `hasStats`: whether the build logs pool
 * stats on SIGUSR2 (a build without the handler would be killed by the signal).
 */
export function trackWorker(name: string, child: ChildProcess, subscribe: (onText: (text: string) => void) => void, hasStats: boolean): BenchWorker & { started: Promise<void> } {
  let buf = '';
  const stats: PoolStatsLine[] = [];
  let waiter: (() => void) | undefined;
  subscribe((text) => {
    buf = (buf + text).slice(-200_000);
    for (const line of text.split('\n')) {
      if (!line.includes('"thread pool stats"')) continue;
      try {
        stats.push((JSON.parse(line) as { pool: PoolStatsLine }).pool);
        waiter?.();
      } catch {
        // A line split across two chunks: the next SIGUSR2 answers again.
      }
    }
  });
  const started = new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`worker ${name} did not start within 120 s: ${buf.slice(-1500)}`)), START_TIMEOUT_MS);
    const check = setInterval(() => {
      if (buf.includes('worker started')) {
        clearTimeout(timer);
        clearInterval(check);
        ok();
      }
    }, 100);
    child.once('exit', (code) => {
      clearTimeout(timer);
      clearInterval(check);
      fail(new Error(`worker ${name} exited ${code}: ${buf.slice(-1500)}`));
    });
  });
  started.catch(() => undefined);
  const pid = child.pid!;
  return {
    pid,
    name,
    started,
    async poolStats() {
      if (!hasStats) return undefined;
      const before = stats.length;
      const got = new Promise<void>((ok) => (waiter = ok));
      process.kill(pid, 'SIGUSR2');
      await Promise.race([got, sleep(10_000)]);
      waiter = undefined;
      if (stats.length === before) throw new Error(`worker ${name} logged no pool stats within 10 s of SIGUSR2`);
      return stats[stats.length - 1];
    },
    cpuS: () => procCpuS(pid),
    peakRssMB: () => procPeakRssMB(pid),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * A worker in this network namespace: `node [nodeArgs] CLI worker --threads N` (node 20 refuses --cpu-prof in
 * NODE_OPTIONS, so profiling flags come as arguments), its stdout and stderr appended to `logPath`
 * and followed from there. Not a pipe: the benchmark blocks in spawnSync while a run goes on, a pipe nobody reads
 * fills up, and the worker's synchronous log writes would then stall its event loop.
 */
export function spawnLocalWorker(cli: string, name: string, threads: number, env: NodeJS.ProcessEnv, hasStats: boolean, logPath: string, nodeArgs: string[] = []): BenchWorker & { started: Promise<void> } {
  const fd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...nodeArgs, cli, 'worker', '--threads', String(threads)], { env, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const tail = tailFile(logPath);
  const tracked = trackWorker(name, child, tail.subscribe, hasStats);
  return {
    ...tracked,
    async stop() {
      await tracked.stop();
      tail.close();
    },
  };
}

/** Sums per-thread busy time between two stats lines; undefined when either is missing. */
export function busyDelta(a: PoolStatsLine | undefined, b: PoolStatsLine | undefined): { busyMs: number[]; tasks: number } | undefined {
  if (!a || !b) return undefined;
  return {
    busyMs: b.threads.map((t, i) => t.busyMs - (a.threads[i]?.busyMs ?? 0)),
    tasks: b.threads.reduce((n, t, i) => n + t.tasks - (a.threads[i]?.tasks ?? 0), 0),
  };
}

/** Follows a log file (a worker on a namespaced host writes there): new text goes to `on` every 200 ms until closed. */
export function tailFile(path: string): { subscribe: (on: (text: string) => void) => void; close: () => void } {
  let pos = 0;
  let listener: ((text: string) => void) | undefined;
  const timer = setInterval(() => {
    let text: string;
    try {
      const all = readFileSync(path);
      if (all.length <= pos) return;
      text = all.subarray(pos).toString();
      pos = all.length;
    } catch {
      return;
    }
    listener?.(text);
  }, 200);
  return { subscribe: (on) => (listener = on), close: () => clearInterval(timer) };
}
