// The one reader of /proc/<pid>/stat: process state, parent, process group and start time.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  /** R, S, D, Z (zombie), X (dead)… */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  /** Start time in clock ticks since boot: with the pid, an identity the kernel never reuses. */
  readonly startTicks: string;
}

export const readProcStat = (pid: number | string): ProcStat | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', ppid: Number(fields[1]), pgrp: Number(fields[2]), startTicks: fields[19] ?? '' };
  } catch {
    return undefined;
  }
};

/** A zombie or dead process is gone for every purpose but its pid. */
export const isGone = (s: ProcStat | undefined): boolean => s === undefined || s.state === 'Z' || s.state === 'X';

/**
 * The process's start time in clock ticks since boot, or undefined if it is gone. WARNING: a
 * zombie counts as gone — where pid 1 does not reap orphans, a killed process lingers as a zombie
 * that would otherwise look alive.
 */
export const processStartTicks = (pid: number): string | undefined => {
  const stat = readProcStat(pid);
  return isGone(stat) ? undefined : stat?.startTicks;
};

/** Alive and not a zombie. WARNING: a pid alone can be reused by the kernel; pid plus start time cannot. */
export const isAlive = (pid: number): boolean => processStartTicks(pid) !== undefined;

/** Every pid in /proc now, without reading anything of them (empty where /proc cannot be read). */
export const listPids = (): number[] => {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    const c = entry.charCodeAt(0);
    if (c >= 48 && c <= 57) pids.push(Number(entry));
  }
  return pids;
};

/** Every process's stat, from one pass over /proc (empty where /proc cannot be read). */
export const readAllProcStats = (): [pid: number, stat: ProcStat][] => {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const all: [number, ProcStat][] = [];
  for (const entry of entries) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    const stat = readProcStat(entry);
    if (stat !== undefined) all.push([Number(entry), stat]);
  }
  return all;
};
