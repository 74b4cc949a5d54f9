/**
 * Hosts on a private network of a test's own, so a test can take one machine off the network while its processes
 * keep running. Each host is a Linux network namespace with its loopback and one veth (`eth0`); the other end of
 * every veth is a port of a bridge in the root namespace, which holds `.1` of the subnet, so the test process
 * reaches every host over the bridge. No namespace has a default route: whatever runs on a host reaches the other
 * hosts and the test process, nothing else.
 *
 * `cut(host)` takes the host's bridge port down. Its packets then go nowhere and no peer receives a reset, as with
 * a pulled cable or a dead switch port: each side notices only through its own timeouts. That is the failure a
 * killed process (whose kernel closes its sockets at once) never shows.
 *
 * Every namespace and link name carries one random suffix, and the subnet is a /24 of 10.231.0.0/16 that no other
 * interface of the root namespace uses, so test runs in parallel do not collide. `destroy()` kills every process
 * still inside the namespaces and deletes links and namespaces; it is safe to call more than once.
 * Needs root (CAP_SYS_ADMIN for `ip netns add`, CAP_NET_ADMIN for links): see `netnsUnavailable()`.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { sleep } from './private-stack';

export interface NetHost {
  name: string;
  /** Name of the host's network namespace (`ip netns exec <netns> ...`). */
  netns: string;
  /** The host's address on the bridge (its `eth0`). */
  ip: string;
  /** Root-namespace end of the host's veth: its port on the bridge. */
  port: string;
}

export interface SpawnOnHostOptions {
  env: NodeJS.ProcessEnv;
  /** stdout and stderr are appended to this file. */
  logPath: string;
}

export interface HostNetwork<H extends string> {
  /** The random suffix of every name this network created. */
  id: string;
  bridge: string;
  /** The test process's own address on the bridge. */
  gatewayIp: string;
  hosts: Record<H, NetHost>;
  /**
   * Starts `command` on a host (`ip netns exec`). `ip netns exec` execs the command, so the child's pid is the
   * command's own: the pid a Temporal worker puts in its identity (`<pid>@<hostname>`).
   */
  spawn(host: H, command: string, args: string[], opts: SpawnOnHostOptions): ChildProcess;
  /** Whether a TCP connection from `host` to `ip:port` opens within `timeoutMs`. */
  reaches(host: H, ip: string, port: number, timeoutMs?: number): Promise<boolean>;
  /** Takes the host's bridge port down; its processes keep running, cut off. */
  cut(host: H): Promise<void>;
  /** Kills every process left on the hosts, deletes the links and the namespaces. Idempotent. */
  destroy(): Promise<void>;
  /** Namespaces and links of this network that still exist (empty after `destroy()`). */
  leftovers(): Promise<string[]>;
}

const IP_TIMEOUT_MS = 10_000;
/** Third octets 0-255 of 10.231.X.0/24. */
const SUBNET_PREFIX = '10.231';
const SUBNET_TRIES = 8;
/** Host addresses start here: .1 is the bridge, .10 the first host. */
const FIRST_HOST_OCTET = 10;

/**
 * Why this process cannot create network namespaces, or undefined when it can: a throwaway `ip netns add` is
 * tried and deleted again. Only a permission failure is a reason to skip; any other failure is thrown.
 */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces are Linux only (platform ${process.platform})`;
  const probe = `tessera-probe-${randomId()}`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8', timeout: IP_TIMEOUT_MS });
  if (add.error) throw new Error(`ip netns add ${probe}: ${add.error.message}`);
  if (add.status === 0) {
    const del = spawnSync('ip', ['netns', 'delete', probe], { encoding: 'utf8', timeout: IP_TIMEOUT_MS });
    if (del.status !== 0) throw new Error(`ip netns delete ${probe} failed: ${del.stderr.trim()}`);
    return undefined;
  }
  const why = add.stderr.trim();
  if (/not permitted|permission denied/i.test(why)) {
    return `'ip netns add' is not permitted here (uid ${process.getuid?.() ?? '?'}: ${why}); the hosts test needs root`;
  }
  throw new Error(`ip netns add ${probe} failed (exit ${add.status}): ${why}`);
}

/** Creates the bridge and one namespace per host name, in order, at .10, .11, ... of a free /24. */
export async function createHostNetwork<H extends string>(names: readonly H[]): Promise<HostNetwork<H>> {
  const id = randomId();
  const bridge = `tbr${id}`;
  const hosts = {} as Record<H, NetHost>;
  names.forEach((name, i) => {
    hosts[name] = { name, netns: `tessera-${name}-${id}`, ip: '', port: `tv${id}${i}` };
  });
  const children = new Set<ChildProcess>();
  let destroyed = false;

  const leftovers = async (): Promise<string[]> => {
    const namespaces = (await ip(['netns', 'list'])).split('\n').map((line) => line.split(' ')[0]);
    const links = (await ip(['-o', 'link', 'show'])).split('\n').map((line) => /^\d+: ([^:@]+)/.exec(line)?.[1] ?? '');
    const ours = [...Object.values<NetHost>(hosts).flatMap((h) => [h.netns, h.port]), bridge];
    return ours.filter((name) => namespaces.includes(name) || links.includes(name));
  };

  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const existing = await leftovers();
    for (const host of Object.values<NetHost>(hosts)) {
      if (existing.includes(host.netns)) await killProcessesIn(host.netns);
    }
    // Deleting one end of a veth deletes both; a namespace outlives `ip netns delete` while a process is in it,
    // hence the kills above.
    for (const name of existing) {
      if (name.startsWith('tv') || name === bridge) await ip(['link', 'delete', name]).catch(ignoreMissing);
    }
    for (const host of Object.values<NetHost>(hosts)) {
      if (existing.includes(host.netns)) await ip(['netns', 'delete', host.netns]).catch(ignoreMissing);
    }
  };

  try {
    await ip(['link', 'add', bridge, 'type', 'bridge']);
    const subnet = await claimSubnet(bridge);
    await ip(['link', 'set', bridge, 'up']);
    let octet = FIRST_HOST_OCTET;
    for (const name of names) {
      const host = hosts[name];
      host.ip = `${subnet}.${octet++}`;
      await ip(['netns', 'add', host.netns]);
      await ip(['link', 'add', host.port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.netns]);
      await ip(['link', 'set', host.port, 'master', bridge]);
      await ip(['link', 'set', host.port, 'up']);
      await ip(['-n', host.netns, 'link', 'set', 'lo', 'up']);
      await ip(['-n', host.netns, 'addr', 'add', `${host.ip}/24`, 'dev', 'eth0']);
      await ip(['-n', host.netns, 'link', 'set', 'eth0', 'up']);
    }
    const gatewayIp = `${subnet}.1`;
    return {
      id,
      bridge,
      gatewayIp,
      hosts,
      spawn: (host, command, args, opts) => {
        const fd = openSync(opts.logPath, 'a');
        try {
          const child = spawn('ip', ['netns', 'exec', hosts[host].netns, command, ...args], { env: opts.env, stdio: ['ignore', fd, fd] });
          children.add(child);
          return child;
        } finally {
          closeSync(fd);
        }
      },
      reaches: (host, targetIp, port, timeoutMs = 3_000) => reaches(hosts[host].netns, targetIp, port, timeoutMs),
      cut: async (host) => {
        await ip(['link', 'set', hosts[host].port, 'down']);
      },
      destroy,
      leftovers,
    };
  } catch (err) {
    await destroy().catch(() => undefined);
    throw err;
  }
}

/**
 * Gives the bridge `.1` of a /24 of 10.231.0.0/16 that no other root-namespace interface has. A run that picked
 * the same /24 at the same moment shows up on the check after the assignment; the later one moves on.
 */
async function claimSubnet(bridge: string): Promise<string> {
  for (let attempt = 0; attempt < SUBNET_TRIES; attempt++) {
    const taken = `${await ip(['-4', '-o', 'addr', 'show'])}\n${await ip(['-4', 'route', 'show'])}`;
    const free = Array.from({ length: 256 }, (_, octet) => `${SUBNET_PREFIX}.${octet}`).filter((s) => !taken.includes(`${s}.`));
    if (free.length === 0) break;
    const subnet = free[Math.floor(Math.random() * free.length)];
    await ip(['addr', 'add', `${subnet}.1/24`, 'dev', bridge]);
    const holders = (await ip(['-4', '-o', 'addr', 'show']))
      .split('\n')
      .filter((line) => line.includes(` ${subnet}.`))
      .map((line) => line.split(/\s+/)[1]);
    if (holders.every((name) => name === bridge)) return subnet;
    await ip(['addr', 'delete', `${subnet}.1/24`, 'dev', bridge]);
    await sleep(Math.random() * 500);
  }
  throw new Error(`no free /24 in ${SUBNET_PREFIX}.0.0/16 for bridge ${bridge} after ${SUBNET_TRIES} tries`);
}

/** SIGKILLs every process in the namespace and waits (up to 10 s) until none is left. */
async function killProcessesIn(netns: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pids = (await ip(['netns', 'pids', netns]).catch(() => ''))
      .split('\n')
      .map(Number)
      .filter((pid) => Number.isInteger(pid) && pid > 0);
    if (pids.length === 0) return;
    if (Date.now() > deadline) throw new Error(`processes ${pids.join(', ')} are still in ${netns}`);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Exited between the listing and the kill.
      }
    }
    await sleep(200);
  }
}

/** Connects from inside the namespace with a one-line Node script (the test process itself is in the root one). */
function reaches(netns: string, targetIp: string, port: number, timeoutMs: number): Promise<boolean> {
  const script = `const s = require('node:net').connect({ host: process.argv[1], port: Number(process.argv[2]) });
s.setTimeout(Number(process.argv[3]), () => process.exit(1));
s.on('connect', () => process.exit(0)); s.on('error', () => process.exit(1));`;
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', netns, process.execPath, '-e', script, targetIp, String(port), String(timeoutMs)], { timeout: timeoutMs + 10_000 }, (err) =>
      resolve(!err),
    );
  });
}

function ip(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: IP_TIMEOUT_MS, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`ip ${args.join(' ')} failed (${err.code ?? err.signal}): ${stderr.trim()}`));
      else resolve(stdout);
    });
  });
}

/** Something already gone is what deletion wanted. */
function ignoreMissing(err: unknown): void {
  if (!/cannot find device|no such file|does not exist/i.test(String(err))) throw err;
}

/** Six base-36 characters: link names must stay within 15 bytes (`tbr` + id, `tv` + id + host index). */
function randomId(): string {
  return Math.random().toString(36).slice(2, 8).padEnd(6, '0');
}
