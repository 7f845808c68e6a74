// Who listens on a TCP port: /proc/net/tcp{,6} gives the listening socket's inode, the fds under
// /proc/<pid>/fd name the processes holding it. Exact where a tcp probe is not: a probe is
// answered by whoever holds the port, this says who that is (SPEC §9). UDP ports (SPEC §14) the
// same from /proc/net/udp{,6}: the tables are apart, so a TCP and a UDP socket on one number are too.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { listPids, readAllProcStats, readProcStat } from './proc-stat.js';
import { describeHolder, type PortHolder } from '../ports.js';

export { describeHolder, type PortHolder };

const LISTEN = '0A';

export type SocketProtocol = 'tcp' | 'udp';

const TABLES: Readonly<Record<SocketProtocol, readonly string[]>> = {
  tcp: ['/proc/net/tcp', '/proc/net/tcp6'],
  udp: ['/proc/net/udp', '/proc/net/udp6'],
};

/**
 * Local port → inodes of the sockets listening on it (IPv4 and IPv6, any address). For udp: every
 * socket bound to it, connected or not (UDP has no LISTEN state; any of them makes bind(2) fail).
 */
export const readListeningSockets = (protocol: SocketProtocol = 'tcp'): Map<number, number[]> => {
  const byPort = new Map<number, number[]>();
  for (const file of TABLES[protocol]) readTable(file, protocol, byPort);
  return byPort;
};

/** Adds one /proc/net table's listening (udp: bound) sockets to `byPort`; nothing if it cannot be read. */
const readTable = (file: string, protocol: SocketProtocol, byPort: Map<number, number[]>): void => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return;
  }
  for (const line of text.split('\n').slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || (protocol === 'tcp' && f[3] !== LISTEN)) continue;
    const port = parseInt(f[1]!.slice(f[1]!.lastIndexOf(':') + 1), 16);
    const inode = Number(f[9]);
    if (!Number.isInteger(port) || !Number.isInteger(inode) || inode === 0) continue;
    const list = byPort.get(port) ?? [];
    list.push(inode);
    byPort.set(port, list);
  }
};

/** The socket inodes among a process's open fds (empty when they cannot be read: gone, or another user's). */
export const socketInodesOf = (pid: number): number[] => {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  const inodes: number[] = [];
  for (const fd of fds) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (target.startsWith('socket:[')) inodes.push(Number(target.slice(8, -1)));
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
};

/** The process's name as `ps -o comm` shows it (`python3`, `node`), or undefined. */
export const commandOf = (pid: number): string | undefined => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
};


/**
 * The holders of every listened (udp: bound) port among `ports` (ports nobody holds are absent).
 * `candidates`: pids likely to hold them (the daemon and its children), looked at first; when
 * they hold every listening socket of those ports, the rest of /proc is not read (WARNING: then
 * another process sharing one of those sockets, one inherited, is not listed). At 1,000
 * processes the full pass is thousands of readlinks.
 */
export const findPortHolders = (
  ports: Iterable<number>,
  protocol: SocketProtocol = 'tcp',
  candidates: Iterable<number> = [],
): Map<number, PortHolder> => {
  const wanted = new Set(ports);
  const result = new Map<number, PortHolder>();
  if (wanted.size === 0) return result;
  const inodePort = new Map<number, number>();
  for (const [port, inodes] of readListeningSockets(protocol)) {
    if (wanted.has(port)) for (const inode of inodes) inodePort.set(inode, port);
  }
  if (inodePort.size === 0) return result;
  const holders = new Map<number, number[]>([...new Set(inodePort.values())].map((p) => [p, []]));
  const unseen = new Set(inodePort.keys());
  const scan = (pid: number): void => {
    for (const inode of socketInodesOf(pid)) {
      const port = inodePort.get(inode);
      unseen.delete(inode);
      if (port !== undefined && !holders.get(port)!.includes(pid)) holders.get(port)!.push(pid);
    }
  };
  const first = new Set(candidates);
  for (const pid of first) scan(pid);
  if (unseen.size > 0) for (const pid of listPids()) if (!first.has(pid)) scan(pid);
  for (const [port, pids] of holders) {
    pids.sort((a, b) => a - b);
    const pgids = pids.map((pid) => readProcStat(pid)?.pgrp ?? pid);
    const command = pids[0] === undefined ? undefined : commandOf(pids[0]);
    result.set(port, { port, pids, pgids, command, ...(protocol === 'udp' ? { protocol } : {}) });
  }
  return result;
};

/** Whether a process of group `pgid` holds a socket listening on `port`: the instance itself answers there. */
export const groupListensOn = (port: number, pgid: number): boolean => {
  // Most apps listen in the group leader itself (pid = pgid): spare the scan of every process.
  const leader = new Set(readProcStat(pgid)?.pgrp === pgid ? socketInodesOf(pgid) : []);
  // WARNING: each table read walks the kernel's whole connection table (10-40 ms on a busy host).
  // IPv6 first, where Node listens by default (`::`); stop at the first table showing the leader.
  const inodes = new Set<number>();
  for (const file of [TABLES.tcp[1]!, TABLES.tcp[0]!]) {
    const byPort = new Map<number, number[]>();
    readTable(file, 'tcp', byPort);
    for (const inode of byPort.get(port) ?? []) inodes.add(inode);
    if ([...inodes].some((i) => leader.has(i))) return true;
  }
  if (inodes.size === 0) return false;
  for (const [pid, stat] of readAllProcStats()) {
    if (stat.pgrp === pgid && socketInodesOf(pid).some((i) => inodes.has(i))) return true;
  }
  return false;
};


/**
 * `port 3000 is in use by pid 1234 (python3)` when something outside process group `ownGroup`
 * (if given) listens on `port`, else undefined. One read of /proc/net when nobody listens.
 */
export const portInUse = (port: number, ownGroup?: number, protocol: SocketProtocol = 'tcp'): string | undefined => {
  const holder = findPortHolders([port], protocol).get(port);
  if (holder === undefined || (ownGroup !== undefined && holder.pgids.includes(ownGroup))) return undefined;
  return describeHolder(holder);
};
