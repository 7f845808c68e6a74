// A plan for humans (Terraform-like text) and for machines (`--output json`). Display never
// influences apply: these read the plan and nothing else.
import type { AppSpec } from '../config/desired.js';
import { protocolOf, sharesPort } from '../config/modes.js';
import { fieldKind } from './fields.js';
import { formatValue } from './format.js';
import { interruptsService } from './types.js';
import type { Action, ActionType, DriftReason, FieldChange, Plan } from './types.js';
import { portSuffix } from '../ports.js';

export interface PlanSummary {
  readonly create: number;
  readonly change: number;
  readonly delete: number;
}

/** Counts as Terraform does: every action that is not a create or a delete is a change. */
export const summarizePlan = (plan: Plan): PlanSummary => ({
  create: plan.actions.filter((a) => a.type === 'create').length,
  change: plan.actions.filter((a) => a.type !== 'create' && a.type !== 'delete').length,
  delete: plan.actions.filter((a) => a.type === 'delete').length,
});

const SYMBOL: Readonly<Record<ActionType, '+' | '~' | '-'>> = {
  create: '+',
  delete: '-',
  scale: '~',
  restart: '~',
  reload: '~',
  update: '~',
  start: '~',
};

const COLOR = { '+': '\x1b[32m', '~': '\x1b[33m', '-': '\x1b[31m' } as const;
const RESET = '\x1b[0m';
const NAME_WIDTH = 14;

const DRIFT_WORDS: Readonly<Record<DriftReason, string>> = {
  stopped: 'was stopped',
  errored: 'errored instances',
  rollback: 'rolled back',
  'missing-instances': 'instances missing',
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const range = (first: number, last: number): string => (first === last ? `${first}` : `${first}-${last}`);

/** `(fork, ports 8080-8083)`, `(cluster, shared port 3000)`, `(fork)`. */
const placement = (spec: AppSpec): string => {
  if (spec.port === undefined) return `(${spec.mode})`;
  const udp = udpMark(spec);
  if (sharesPort(spec)) return `(${spec.mode}, shared port ${spec.port}${udp})`;
  if (spec.instances <= 1) return `(fork, port ${spec.port}${udp})`;
  return `(fork, ports ${range(spec.port, spec.port + spec.instances - 1)}${udp})`;
};

const udpMark = (spec: AppSpec): string => portSuffix(protocolOf(spec));

/** What the action does, before and after the word on interruption. */
const describe = (a: Action): readonly [string, string] => {
  switch (a.type) {
    case 'create':
      return [`create, ${plural(a.spec.instances, 'instance')} ${placement(a.spec)}`, ''];
    case 'delete':
      return [`delete, stops ${plural(a.instances, 'instance')}`, ''];
    case 'reload':
      return [`reload ${plural(a.instances, 'instance')}`, ` (rolling, shared port ${a.spec.port ?? 'none'}${udpMark(a.spec)})`];
    case 'restart':
      return [`restart ${plural(a.instances, 'instance')}`, ''];
    case 'scale':
      return [`scale ${a.from} → ${a.to}${stoppedByScale(a.spec, a.from, a.to)}`, ''];
    case 'update':
      return ['update in place', ''];
    case 'start':
      return [`start ${plural(a.spec.instances, 'instance')} (${DRIFT_WORDS[a.reason]})`, ''];
  }
};

/** The fork instances a scale down stops, with the ports that stop answering. */
const stoppedByScale = (spec: AppSpec, from: number, to: number): string => {
  if (to >= from || spec.port === undefined || sharesPort(spec)) return '';
  const which = to === from - 1 ? 'instance' : 'instances';
  const ports = to === from - 1 ? 'port' : 'ports';
  return `, stops ${which} ${range(to, from - 1)} (${ports} ${range(spec.port + to, spec.port + from - 1)})`;
};

const changesOf = (a: Action): readonly FieldChange[] => ('changes' in a ? (a.changes ?? []) : []);

const renderChange = (c: FieldChange): string => {
  if (c.secret === true || fieldKind(c.field) === 'secret') {
    if (c.before === undefined) return `${c.field}: added (value hidden)`;
    if (c.after === undefined) return `${c.field}: removed`;
    return `${c.field}: changed (value hidden)`;
  }
  return `${c.field}: ${formatValue(c.field, c.before)} → ${formatValue(c.field, c.after)}`;
};

const renderAction = (a: Action, width: number, color: boolean): string[] => {
  const symbol = SYMBOL[a.type];
  const mark = color ? `${COLOR[symbol]}${symbol}${RESET}` : symbol;
  const [head, tail] = describe(a);
  const interruption = interruptsService(a) ? ' — interrupts service' : ', no interruption';
  // A scale's own instance change is its headline already.
  const changes = changesOf(a).filter((c) => !(a.type === 'scale' && c.field === 'instances'));
  return [`${mark} ${a.app.padEnd(width)}${head}${interruption}${tail}`, ...changes.map((c) => `    ${renderChange(c)}`)];
};

/**
 * The plan as text, one block per action in execution order: `+` create, `~` change (restart,
 * reload, scale, update, start), `-` delete; each says whether it interrupts service. Env values
 * are never shown. Colour (ANSI) only when asked. No trailing newline.
 */
export const renderPlan = (plan: Plan, options: { readonly color: boolean }): string => {
  if (plan.actions.length === 0 && plan.refusals.length === 0) return `No changes. Project "${plan.project}" matches the file.`;
  const width = Math.max(NAME_WIDTH, ...plan.actions.map((a) => a.app.length)) + 1;
  const s = summarizePlan(plan);
  return [
    `Project "${plan.project}": orch will perform these actions, in this order:`,
    '',
    ...plan.actions.flatMap((a) => renderAction(a, width, options.color)),
    '',
    `Plan: ${s.create} to create, ${s.change} to change, ${s.delete} to delete.`,
    ...renderRefusals(plan, options.color),
  ].join('\n');
};

/** What apply would refuse, with the very words apply would use. */
const renderRefusals = (plan: Plan, color: boolean): string[] => {
  if (plan.refusals.length === 0) return [];
  const mark = color ? `\x1b[31m!${RESET}` : '!';
  const whole = plan.refusals.some((r) => r.kind === 'name-taken');
  return [
    '',
    whole ? 'apply would refuse this file and change nothing:' : 'apply would refuse these actions (and skip what depends on them):',
    ...plan.refusals.map((r) => `${mark} ${r.app}: ${r.message}`),
  ];
};

/** One changed field in JSON: `undefined` becomes `null`; a secret's value becomes `"(hidden)"`. */
export interface FieldChangeJson {
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

interface ActionJsonBase {
  readonly app: string;
  readonly interrupts: boolean;
  readonly changes: readonly FieldChangeJson[];
}

export type ActionJson =
  | (ActionJsonBase & { readonly type: 'create'; readonly instances: number; readonly mode: string; readonly port: number | null })
  | (ActionJsonBase & { readonly type: 'delete'; readonly instances: number })
  | (ActionJsonBase & { readonly type: 'scale'; readonly from: number; readonly to: number })
  | (ActionJsonBase & { readonly type: 'restart' | 'reload'; readonly instances: number })
  | (ActionJsonBase & { readonly type: 'update' })
  | (ActionJsonBase & { readonly type: 'start'; readonly reason: DriftReason; readonly instances: number });

/**
 * The stable JSON shape of a plan (`orch diff --output json`), version 1:
 *
 * ```
 * {
 *   "project": "shop",
 *   "changes": true,                              // false exactly when "actions" is empty
 *   "summary": { "create": 1, "change": 2, "delete": 0 },
 *   "actions": [                                  // in execution order
 *     { "type": "create",  "app": "api", "interrupts": false, "instances": 4, "mode": "fork", "port": 8080, "changes": [] },
 *     { "type": "delete",  "app": "old", "interrupts": true,  "instances": 1, "changes": [] },
 *     { "type": "scale",   "app": "web", "interrupts": false, "from": 2, "to": 4,
 *       "changes": [{ "field": "instances", "before": 2, "after": 4 }] },
 *     { "type": "restart", "app": "w",   "interrupts": true,  "instances": 2,
 *       "changes": [{ "field": "env.API_KEY", "before": "(hidden)", "after": "(hidden)" }] },
 *     { "type": "reload",  ... same fields as restart ... },
 *     { "type": "update",  "app": "jobs", "interrupts": false,
 *       "changes": [{ "field": "restart.max_restarts", "before": 10, "after": 5 }] },
 *     { "type": "start",   "app": "mail", "interrupts": false, "reason": "stopped", "instances": 1, "changes": [] }
 *   ]
 * }
 * ```
 *
 * - `interrupts`: whether, at any moment while the action runs, the app has no ready instance on
 *   its port or a new connection could be refused (SPEC §9; `interrupts` in config/modes.ts):
 *   a restart, a delete, a scale to 0, a fork scale down with its own ports, a reload whose
 *   `max_unavailable` can take every instance at once.
 * - `reason` of a start: `stopped` | `errored` | `rollback` | `missing-instances`.
 * - `changes[].field`: the file's dotted names (`run`, `cwd`, `env.NAME`, `restart.backoff.initial`,
 *   `depends_on`, `max_memory`, ...), sorted. Values are JSON: durations in ms, sizes in bytes,
 *   `run` an argv array, a missing value `null`. Env values are never included: `"(hidden)"` when
 *   the key is set on that side, `null` when it is not (so added / removed / changed still show).
 * - `refusals`: `[{ "app", "kind", "message" }]`, what apply would refuse for a reason known before
 *   acting, sorted by app; `message` is the very text apply reports.
 * - No spec is included (it holds the caller's environment).
 */
export interface PlanJson {
  readonly project: string;
  readonly changes: boolean;
  readonly summary: PlanSummary;
  readonly actions: readonly ActionJson[];
  /** What apply would refuse before acting (SPEC §9); `diff` exits 2 when this is not empty. */
  readonly refusals: readonly RefusalJson[];
}

/** `kind`: `name-taken` (the whole apply is refused) | `port-in-use` | `missing-path` (that action fails). */
export interface RefusalJson {
  readonly app: string;
  readonly kind: string;
  readonly message: string;
}

const jsonValue = (v: unknown, secret: boolean): unknown => {
  if (v === undefined || v === null) return null;
  return secret ? '(hidden)' : v;
};

const changeJson = (c: FieldChange): FieldChangeJson => {
  const secret = c.secret === true || fieldKind(c.field) === 'secret';
  return { field: c.field, before: jsonValue(c.before, secret), after: jsonValue(c.after, secret) };
};

const actionJson = (a: Action): ActionJson => {
  const head = { app: a.app, interrupts: interruptsService(a) };
  const changes = changesOf(a).map(changeJson);
  switch (a.type) {
    case 'create':
      return { type: a.type, ...head, instances: a.spec.instances, mode: a.spec.mode, port: a.spec.port ?? null, changes };
    case 'delete':
      return { type: a.type, ...head, instances: a.instances, changes };
    case 'scale':
      return { type: a.type, ...head, from: a.from, to: a.to, changes };
    case 'restart':
    case 'reload':
      return { type: a.type, ...head, instances: a.instances, changes };
    case 'update':
      return { type: a.type, ...head, changes };
    case 'start':
      return { type: a.type, ...head, reason: a.reason, instances: a.spec.instances, changes };
  }
};

/** The plan as the documented JSON value of {@link PlanJson}; `JSON.stringify` it as it is. */
export const planToJson = (plan: Plan): PlanJson => ({
  project: plan.project,
  changes: plan.actions.length > 0,
  summary: summarizePlan(plan),
  actions: plan.actions.map(actionJson),
  refusals: plan.refusals.map((r) => ({ app: r.app, kind: r.kind, message: r.message })),
});
