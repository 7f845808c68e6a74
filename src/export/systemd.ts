// `orch export systemd` (SPEC §13): per app a template unit `<project>-<app>@.service` whose
// instances @0..@N-1 are orch's instances, a `.socket` unit for socket mode (systemd hands the
// instances LISTEN_FDS exactly as orch does), per-instance drop-ins for fork mode's PORT=port+i
// (systemd has no arithmetic on %i), and `<project>.target` that pulls them all in. Pure.
import type { AppSpec } from '../config/desired.js';
import { protocolOf } from '../config/modes.js';
import { type AppFidelity, approximated, dropped, type FidelityRow, mapped, rowsOf } from './fidelity.js';
import { durationText, type ExportFile, type ExportInput, type ExportResult, plural, READY_SIGNAL, splitEnv } from './input.js';

/** systemd's name for the socket a socket-mode app gets: a stream or, for `protocol: udp`, datagrams. */
const listenKey = (spec: AppSpec): 'ListenStream' | 'ListenDatagram' => (protocolOf(spec) === 'udp' ? 'ListenDatagram' : 'ListenStream');

export const unitBase = (spec: Pick<AppSpec, 'project' | 'name'>): string => `${spec.project}-${spec.name}`;
const templateUnit = (spec: Pick<AppSpec, 'project' | 'name'>): string => `${unitBase(spec)}@.service`;
const instanceUnit = (spec: Pick<AppSpec, 'project' | 'name'>, i: number): string => `${unitBase(spec)}@${i}.service`;
const socketUnit = (spec: Pick<AppSpec, 'project' | 'name'>): string => `${unitBase(spec)}.socket`;
const targetUnit = (project: string): string => `${project}.target`;

const instanceUnits = (spec: AppSpec): string[] => Array.from({ length: spec.instances }, (_, i) => instanceUnit(spec, i));

/** Socket mode with a port: the one listening socket systemd holds for every instance. */
const hasSocket = (spec: AppSpec): boolean => spec.mode === 'socket' && spec.port !== undefined;
/** Fork mode with a port: instance i listens on port+i, written per instance in a drop-in. */
const forkPorts = (spec: AppSpec): boolean => spec.mode === 'fork' && spec.port !== undefined;

// WARNING: in unit files `%` starts a specifier and, in Exec lines, `$` a variable: both doubled.
const escape = (s: string, exec: boolean): string => {
  const e = s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/%/g, '%%');
  return exec ? e.replace(/\$/g, '$$$$') : e;
};
const quoteWord = (s: string, exec: boolean): string => (/^[\w@+=:,./-]+$/.test(s) ? escape(s, exec) : `"${escape(s, exec)}"`);
const assignment = (name: string, value: string): string => `Environment=${quoteWord(`${name}=${value}`, false)}`;

/** A systemd time span: whole seconds or milliseconds. */
const span = (ms: number): string => durationText(ms);

const serviceUnit = (spec: AppSpec, input: ExportInput, byName: ReadonlyMap<string, AppSpec>): string => {
  const env = splitEnv(spec, input.envFiles.get(spec.name));
  const deps = [...spec.dependsOn].sort().flatMap((d) => {
    const dep = byName.get(d);
    return dep === undefined ? [] : [...instanceUnits(dep), ...(hasSocket(dep) ? [socketUnit(dep)] : [])];
  });
  const own = hasSocket(spec) ? [socketUnit(spec)] : [];
  const after = [...own, ...deps];
  const r = spec.restart;
  const notify = spec.ready.type === 'notify';
  const waitsDelay = spec.ready.type === 'none' && spec.ready.delayMs > 0;
  const lines = [
    '[Unit]',
    `Description=orch app ${spec.name} of project ${spec.project}, instance %i`,
    `PartOf=${targetUnit(spec.project)}`,
    ...(after.length === 0 ? [] : [`After=${after.join(' ')}`, `Requires=${after.join(' ')}`]),
    `StartLimitBurst=${Math.max(1, r.maxRestarts)}`,
    `StartLimitIntervalSec=${span(r.windowMs)}`,
    '',
    '[Service]',
    `Type=${notify ? 'notify' : 'exec'}`,
    ...(notify ? ['NotifyAccess=all'] : []),
    `ExecStart=${spec.command.map((w) => quoteWord(w, true)).join(' ')}`,
    ...(waitsDelay ? [`ExecStartPost=/bin/sleep ${(spec.ready.delayMs / 1000).toString()}`] : []),
    ...(notify || waitsDelay ? [`TimeoutStartSec=${span(spec.ready.timeoutMs)}`] : []),
    `WorkingDirectory=${spec.cwd}`,
    ...(hasSocket(spec) ? [`Sockets=${socketUnit(spec)}`] : []),
    assignment('ORCH_APP', spec.name),
    assignment('ORCH_PROJECT', spec.project),
    'Environment=ORCH_INSTANCE=%i',
    ...(spec.port !== undefined && !forkPorts(spec) ? [assignment('PORT', String(spec.port))] : []),
    ...(spec.envFile === undefined ? [] : [`EnvironmentFile=${spec.envFile}`]),
    ...Object.entries(env.declared).map(([k, v]) => assignment(k, v)),
    `Restart=${r.policy === 'never' ? 'no' : r.policy}`,
    `RestartSec=${span(r.backoff.initialMs)}`,
    `KillSignal=${spec.shutdown.signal}`,
    'KillMode=mixed',
    `TimeoutStopSec=${span(spec.shutdown.timeoutMs)}`,
    ...(spec.maxMemoryBytes === undefined ? [] : [`MemoryMax=${spec.maxMemoryBytes}`]),
    '',
    '[Install]',
    `WantedBy=${targetUnit(spec.project)}`,
  ];
  return `${lines.join('\n')}\n`;
};

const socketUnitText = (spec: AppSpec): string =>
  [
    '[Unit]',
    `Description=orch app ${spec.name} of project ${spec.project}: the listening socket its instances share`,
    `PartOf=${targetUnit(spec.project)}`,
    '',
    '[Socket]',
    // All interfaces, as orch binds (src/supervisor/modes/socket-launcher.ts).
    `${listenKey(spec)}=0.0.0.0:${spec.port}`,
    `FileDescriptorName=${spec.name}`,
    // Accept=no: the instances accept from the one socket; systemd starts @0 on the first connection.
    `Service=${instanceUnit(spec, 0)}`,
    '',
    '[Install]',
    `WantedBy=${targetUnit(spec.project)}`,
    '',
  ].join('\n');

const portDropIn = (spec: AppSpec, i: number): ExportFile => ({
  path: `${instanceUnit(spec, i)}.d/port.conf`,
  text: ['# fork mode: instance i listens on port+i; systemd has no arithmetic on %i', '[Service]', assignment('PORT', String(spec.port! + i)), ''].join('\n'),
});

const targetText = (input: ExportInput): string => {
  const wants = input.apps.flatMap((a) => [...(hasSocket(a) ? [socketUnit(a)] : []), ...instanceUnits(a)]);
  return [
    '[Unit]',
    `Description=orch project ${input.project}: every instance of every app`,
    ...(wants.length === 0 ? [] : [`Wants=${wants.join(' ')}`]),
    '',
    '[Install]',
    `WantedBy=${input.user === true ? 'default.target' : 'multi-user.target'}`,
    '',
  ].join('\n');
};

export const exportSystemd = (input: ExportInput): ExportResult => {
  const byName = new Map(input.apps.map((a) => [a.name, a] as const));
  const files: ExportFile[] = [];
  for (const spec of input.apps) {
    files.push({ path: templateUnit(spec), text: serviceUnit(spec, input, byName) });
    if (hasSocket(spec)) files.push({ path: socketUnit(spec), text: socketUnitText(spec) });
    if (forkPorts(spec)) for (let i = 0; i < spec.instances; i++) files.push(portDropIn(spec, i));
  }
  files.push({ path: targetUnit(input.project), text: targetText(input) });
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    files: sorted,
    // `systemctl cat`'s look: each file under a comment naming it.
    stream: sorted.map((f) => `# ${f.path}\n${f.text}`).join('\n'),
    fidelity: input.apps.flatMap((spec) => systemdFidelity(spec, input, byName)),
  };
};

const systemdFidelity = (spec: AppSpec, input: ExportInput, byName: ReadonlyMap<string, AppSpec>): FidelityRow[] => {
  const unit = templateUnit(spec);
  const env = splitEnv(spec, input.envFiles.get(spec.name));
  const r = spec.restart;
  const p = spec.port;
  const t = spec.ready.type;
  const deps = [...spec.dependsOn].sort();
  const rows: AppFidelity = {
    run: mapped(`${unit} ExecStart=`, "a bare program name is looked up in systemd's own PATH, not the caller's"),
    shell: spec.shell ? mapped('ExecStart=/bin/sh -c') : mapped('-', 'no shell: argv as it is'),
    cwd: mapped('WorkingDirectory='),
    instances: mapped(`${targetUnit(spec.project)} Wants= @0..@${spec.instances - 1}`, `${spec.instances}; ORCH_INSTANCE=%i is the instance's index`),
    mode:
      spec.mode === 'fork'
        ? mapped('one service per instance')
        : spec.mode === 'socket'
          ? mapped(p === undefined ? '-' : `${socketUnit(spec)}, Sockets=`, 'every instance gets the listening socket as fd 3 with LISTEN_FDS=1, LISTEN_PID and LISTEN_FDNAMES, as from orch')
          : approximated('one service per instance', "each instance runs the script itself, without Node's cluster primary: every instance must be able to listen on the port (or use a balancer)"),
    port:
      p === undefined
        ? mapped('-', 'no port')
        : forkPorts(spec)
          ? mapped(`Environment=PORT= in ${unitBase(spec)}@<i>.service.d/port.conf`, `PORT=${p}+i per instance drop-in for @0..@${spec.instances - 1} (an instance started beyond them has no PORT)`)
          : spec.mode === 'socket'
            ? mapped(`${listenKey(spec)}=0.0.0.0:${p}`, `systemd binds the port; PORT=${p} too`)
            : approximated(`Environment=PORT=${p}`, `every instance listens on ${p} itself: Node's cluster primary does not exist here, so more than one instance needs SO_REUSEPORT or a balancer`),
    env:
      Object.keys(env.declared).length === 0
        ? mapped('-', 'none declared')
        : env.overridden.length === 0
          ? mapped('Environment=', plural(Object.keys(env.declared).length, 'variable'))
          : approximated('Environment=', `systemd lets EnvironmentFile= win over Environment=: ${env.overridden.join(', ')}, set by both env and env_file, take the env_file's value`),
    env_file: spec.envFile === undefined ? mapped('-', 'none') : mapped('EnvironmentFile=', `${spec.envFile}: read by systemd at each start, values not copied`),
    inherit_env: dropped("instances get systemd's environment (its own PATH), not the caller's: add Environment= lines"),
    'restart.policy': mapped(`Restart=${r.policy === 'never' ? 'no' : r.policy}`),
    // orch restarts an instance that ran past min_uptime at once the first time, and waits
    // `initial` from the second crash on; systemd waits RestartSec= before every restart.
    'restart.backoff': approximated(
      `RestartSec=${span(r.backoff.initialMs)}`,
      `every restart waits it, the first after a long run too (orch restarts that one at once)${
        r.backoff.factor === 1 || r.backoff.initialMs === r.backoff.maxMs
          ? ''
          : '; a fixed delay: growth needs RestartSteps=/RestartMaxDelaySec= (systemd 254+), not written so the units load on systemd 252'
      }`,
    ),
    'restart.max_restarts': approximated(`StartLimitBurst=${Math.max(1, r.maxRestarts)}`, 'systemd counts starts, orch counts crashes; past the limit the unit fails, like errored'),
    'restart.window': mapped(`StartLimitIntervalSec=${span(r.windowMs)}`),
    'restart.min_uptime': dropped('systemd has no minimum run time: every restart waits RestartSec='),
    'shutdown.signal': mapped(`KillSignal=${spec.shutdown.signal}`, 'KillMode=mixed: the signal to the main process, SIGKILL to the whole cgroup at the timeout'),
    'shutdown.timeout': mapped(`TimeoutStopSec=${span(spec.shutdown.timeoutMs)}`),
    'ready.type':
      t === 'notify'
        ? mapped('Type=notify', 'NotifyAccess=all; READY=1 on NOTIFY_SOCKET, as with orch')
        : t === 'none'
          ? spec.ready.delayMs > 0
            ? mapped(`ExecStartPost=/bin/sleep`, 'active once the instance has stayed up ready.delay')
            : mapped('Type=exec')
          : approximated('Type=exec', `started once exec succeeds: systemd cannot wait for ${READY_SIGNAL[t]}`),
    'ready.path': t === 'http' ? dropped('systemd has no http check') : mapped('-', 'not used by this ready type'),
    'ready.timeout':
      t === 'notify' || (t === 'none' && spec.ready.delayMs > 0) ? mapped(`TimeoutStartSec=${span(spec.ready.timeoutMs)}`) : dropped('nothing to wait for with Type=exec'),
    'ready.delay': t === 'none' ? mapped(spec.ready.delayMs > 0 ? 'ExecStartPost=/bin/sleep' : '-', span(spec.ready.delayMs)) : mapped('-', 'not used by this ready type'),
    'reload.max_surge': dropped("systemd restarts an instance in place: 'systemctl restart' one instance at a time is the rolling reload"),
    'reload.max_unavailable': dropped("systemd restarts an instance in place: 'systemctl restart' one instance at a time is the rolling reload"),
    watch: spec.watch === undefined ? mapped('-', 'off') : dropped('dev mode only: a .path unit could restart it, not written'),
    depends_on:
      deps.length === 0
        ? mapped('-', 'none')
        : approximated(
            `After=, Requires= ${deps.filter((d) => byName.has(d)).map((d) => `${unitBase(byName.get(d)!)}@*`).join(' ')}`,
            'started after the dependency has started (ready only for Type=notify), stopped before it; Requires= also stops this app when the dependency stops',
          ),
    max_memory:
      spec.maxMemoryBytes === undefined
        ? mapped('-', 'no limit')
        : approximated(`MemoryMax=${spec.maxMemoryBytes}`, `the kernel OOM-kills at the limit (then Restart= applies) where orch restarts above it${input.user === true ? '; user units need cgroup delegation' : ''}`),
    protocol: spec.port === undefined ? mapped('-', 'no port') : mapped(spec.mode === 'socket' ? `${listenKey(spec)}=` : `PORT (${protocolOf(spec)})`, protocolOf(spec) === 'udp' ? 'a datagram socket' : 'TCP, the default'),
    role:
      spec.role === 'agent'
        ? approximated('After=/Requires= of the other apps', "an agent is a dependency of every other app of its project (ordered as depends_on is); orch's message bus has no systemd equivalent")
        : mapped('-', 'no role'),
    export: spec.export === undefined ? mapped('-', 'nothing to export') : dropped('export.* is for container engines: no image here'),
  };
  return rowsOf(spec.name, rows);
};
