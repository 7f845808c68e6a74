// The daemon's handle on one shared cluster primary (dist/cluster-primary.js: its own process
// group, an IPC channel, an empty environment). It forks workers of any app that runs on its node
// binary, on our command, and its death is the exit of every worker it had, whatever their app.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from 'pino';
import { removeCgroup } from '../../process/cgroup.js';
import { groupAlive, signalGroup } from '../../process/process-group.js';
import type { FreeRestart } from '../restart-policy.js';
import type { DaemonToPrimary, ForkCommand, PrimaryToDaemon, WorkerId } from './cluster-protocol.js';
import { WorkerProxy, within } from './cluster-worker-proxy.js';
import type { ChildHandle, ExitInfo, LaunchResult, Successor } from './launcher.js';

const HELLO_TIMEOUT_MS = 10_000;
const KILL_GRACE_MS = 3000;
/** Reported for the workers of a primary that died (we SIGKILL its group). */
const PRIMARY_GONE: ExitInfo = { code: null, signal: 'SIGKILL' };

/** A successor armed for one worker (see ArmCommand): what its fork will be, once it is one. */
export interface Reservation {
  readonly id: WorkerId;
  readonly app: string;
  /** Its own cgroup: the one of the worker it replaces is killed at that worker's exit. */
  readonly cgroup: string | undefined;
  /** Makes the forked successor an instance's process (its logs wired, itself armable). */
  readonly adopt: (proxy: WorkerProxy) => ChildHandle;
}

export class PrimaryProcess {
  readonly started: Promise<{ ok: true } | { ok: false; reason: string }>;
  readonly gone: Promise<void>;
  dead = false;
  /** Apps that launched here and were not released since: the primary lives while one is left. */
  readonly apps = new Set<string>();
  private readonly child: ChildProcess;
  private readonly workers = new Map<WorkerId, WorkerProxy>();
  private readonly pending = new Map<WorkerId, { readonly app: string; readonly cgroup: string | undefined; readonly resolve: (r: LaunchResult) => void }>();
  /** Wires a worker's output into the logs before any of it arrives. */
  private readonly attachers = new Map<WorkerId, (proxy: WorkerProxy) => void>();
  /** Armed successors by the worker they would replace, and their proxies once forked. */
  private readonly armed = new Map<WorkerId, { readonly reservation: Reservation; proxy: WorkerProxy | undefined }>();

  constructor(
    node: string,
    script: string,
    readonly logger: Logger,
  ) {
    // cwd '/': it serves apps of many directories (each worker gets its own cwd), and must keep
    // none of them busy.
    this.child = spawn(node, [script], {
      cwd: '/',
      env: {},
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      stream?.setEncoding('utf8').on('data', (text: string) => this.logger.warn({ output: text.trimEnd() }, 'cluster primary output'));
    }
    this.gone = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.started = new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, reason: 'cluster primary did not start' }), HELLO_TIMEOUT_MS);
      this.child.once('error', (err) => {
        clearTimeout(timer);
        resolve({ ok: false, reason: `cannot start the cluster primary: ${err.message}` });
      });
      this.child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ ok: false, reason: `cluster primary exited (${signal ?? code ?? '?'})` });
      });
      this.child.on('message', (message: PrimaryToDaemon) => {
        if (message.type === 'hello') {
          clearTimeout(timer);
          resolve({ ok: true });
        } else this.onEvent(message);
      });
    });
    this.child.once('exit', (code, signal) => this.onExit(code, signal));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: DaemonToPrimary): void {
    if (this.child.connected) this.child.send(message, () => undefined);
  }

  /** Forks a worker; `cgroup` is the one its env names, killed and removed once it has exited. */
  fork(app: string, cmd: Omit<ForkCommand, 'type' | 'app'>, attach: (proxy: WorkerProxy) => void, cgroup?: string): Promise<LaunchResult> {
    if (this.dead) return Promise.resolve({ ok: false, reason: 'cluster primary is gone' });
    return new Promise((resolve) => {
      this.pending.set(cmd.id, {
        app,
        cgroup,
        resolve: (result) => {
          this.pending.delete(cmd.id);
          resolve(result);
        },
      });
      this.attachers.set(cmd.id, attach);
      this.send({ type: 'fork', app, ...cmd });
    });
  }

  /**
   * Arms the free restart of worker `of`: if it exits unasked while `free` holds, the primary forks
   * the reserved successor at once and its exit carries it (ExitInfo.successor).
   */
  arm(of: WorkerId, reservation: Reservation, free: FreeRestart): void {
    const worker = this.workers.get(of);
    if (this.dead || worker === undefined || worker.exit !== undefined || this.armed.has(of)) {
      if (reservation.cgroup !== undefined) removeCgroup(reservation.cgroup);
      return;
    }
    this.armed.set(of, { reservation, proxy: undefined });
    this.send({ type: 'arm', id: of, successor: reservation.id, cgroup: reservation.cgroup, free });
  }

  /** Asks the primary to drain its workers and exit; SIGKILLs its group if it takes too long. */
  async close(timeoutMs: number): Promise<void> {
    if (this.dead) return;
    this.child.kill('SIGTERM');
    if (await within(this.gone, timeoutMs)) return;
    signalGroup(this.child.pid ?? 0, 'SIGKILL');
    await within(this.gone, KILL_GRACE_MS);
  }

  private onEvent(event: PrimaryToDaemon): void {
    if (event.type === 'hello') return;
    if (event.type === 'spawned') {
      const pending = this.pending.get(event.id);
      if (pending === undefined) return this.successorSpawned(event.id, event.pid);
      const proxy = new WorkerProxy(event.id, event.pid, pending.app, (m) => this.send(m), this.logger, pending.cgroup);
      this.workers.set(event.id, proxy);
      this.attachers.get(event.id)?.(proxy);
      this.attachers.delete(event.id);
      pending.resolve({ ok: true, child: proxy.handle() });
      return;
    }
    if (event.type === 'spawnFailed') {
      this.attachers.delete(event.id);
      this.pending.get(event.id)?.resolve({ ok: false, reason: event.reason });
      return;
    }
    const proxy = this.workers.get(event.id);
    if (event.type !== 'exited') return proxy?.onEvent(event);
    this.workers.delete(event.id);
    const successor = this.successorOf(event.id, event.successor);
    if (proxy === undefined) return void successor?.refuse();
    proxy.finish(successor === undefined ? { code: event.code, signal: event.signal } : { code: event.code, signal: event.signal, successor });
    proxy.end();
  }

  /** A successor the primary forked on its own: a worker of ours from now, not yet anyone's. */
  private successorSpawned(id: WorkerId, pid: number): void {
    for (const armed of this.armed.values()) {
      const { reservation } = armed;
      if (reservation.id !== id) continue;
      armed.proxy = new WorkerProxy(id, pid, reservation.app, (m) => this.send(m), this.logger, reservation.cgroup);
      this.workers.set(id, armed.proxy);
      return;
    }
  }

  /** The successor worker `of` exited with, handed over; an unused reservation's cgroup goes. */
  private successorOf(of: WorkerId, forked: WorkerId | undefined): Successor | undefined {
    const armed = this.armed.get(of);
    if (armed === undefined) return undefined;
    this.armed.delete(of);
    const { reservation, proxy } = armed;
    if (proxy === undefined || forked !== reservation.id) {
      if (reservation.cgroup !== undefined) removeCgroup(reservation.cgroup);
      return undefined;
    }
    return { adopt: () => Promise.resolve({ ok: true, child: reservation.adopt(proxy) }), refuse: () => Promise.resolve(proxy.handle().kill()) };
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.dead = true;
    const pid = this.child.pid;
    if (this.workers.size > 0 || this.pending.size > 0) {
      this.logger.warn({ pid, code, signal, apps: [...this.apps].sort() }, 'cluster primary exited: the workers of every app it served go with it');
    }
    // Workers left behind would keep serving nobody's requests: the whole group goes.
    if (pid !== undefined && groupAlive(pid)) signalGroup(pid, 'SIGKILL');
    for (const p of [...this.pending.values()]) p.resolve({ ok: false, reason: `cluster primary exited (${signal ?? code ?? '?'})` });
    this.pending.clear();
    for (const proxy of this.workers.values()) {
      proxy.finish(PRIMARY_GONE);
      proxy.end();
    }
    this.workers.clear();
    for (const { reservation, proxy } of this.armed.values()) if (proxy === undefined && reservation.cgroup !== undefined) removeCgroup(reservation.cgroup);
    this.armed.clear();
  }
}
