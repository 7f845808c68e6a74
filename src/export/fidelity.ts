// The fidelity report of `orch export` (SPEC §13): for every field of every app, what it became
// on the target engine. Nothing is silently dropped: each exporter writes one row per field of
// EXPORTED_FIELDS for every app, and a unit test holds them to it.

export type Fidelity = 'mapped' | 'approximated' | 'dropped';

export interface FidelityRow {
  readonly app: string;
  /** The file's dotted name of the field (`ready.type`, `restart.max_restarts`). */
  readonly field: string;
  readonly fidelity: Fidelity;
  /** What it became on the engine (`Deployment.spec.replicas`), `-` when nothing. */
  readonly to: string;
  /** How (approximated), why not (dropped), or a word on what was written (mapped). */
  readonly note: string;
}

/** What every exporter reports for each app, in this order: the app's keys of the file. */
export const EXPORTED_FIELDS = [
  'run',
  'shell',
  'cwd',
  'instances',
  'mode',
  'port',
  'env',
  'env_file',
  'inherit_env',
  'restart.policy',
  'restart.backoff',
  'restart.max_restarts',
  'restart.window',
  'restart.min_uptime',
  'shutdown.signal',
  'shutdown.timeout',
  'ready.type',
  'ready.path',
  'ready.timeout',
  'ready.delay',
  'reload.max_surge',
  'reload.max_unavailable',
  'watch',
  'depends_on',
  'max_memory',
  'protocol',
  'role',
  'export',
] as const;

export type ExportedField = (typeof EXPORTED_FIELDS)[number];

/** One app's rows, in EXPORTED_FIELDS order: a record keyed by field so none can be forgotten. */
export type AppFidelity = { readonly [F in ExportedField]: Omit<FidelityRow, 'app' | 'field'> };

export const rowsOf = (app: string, fidelity: AppFidelity): FidelityRow[] =>
  EXPORTED_FIELDS.map((field) => ({ app, field, ...fidelity[field] }));

export const mapped = (to: string, note = ''): Omit<FidelityRow, 'app' | 'field'> => ({ fidelity: 'mapped', to, note });
export const approximated = (to: string, note: string): Omit<FidelityRow, 'app' | 'field'> => ({ fidelity: 'approximated', to, note });
export const dropped = (note: string): Omit<FidelityRow, 'app' | 'field'> => ({ fidelity: 'dropped', to: '-', note });

/** The human table: one line per row, columns padded, the counts last. */
export const renderFidelity = (rows: readonly FidelityRow[]): string => {
  const head = ['APP', 'FIELD', 'FIDELITY', 'TO', 'NOTE'];
  const cells = rows.map((r) => [r.app, r.field, r.fidelity, r.to, r.note]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string =>
    c.map((s, i) => (i === c.length - 1 ? s : s.padEnd(widths[i]!))).join('  ').trimEnd();
  const count = (f: Fidelity): number => rows.filter((r) => r.fidelity === f).length;
  return [
    line(head),
    ...cells.map(line),
    `${count('mapped')} mapped, ${count('approximated')} approximated, ${count('dropped')} dropped`,
  ].join('\n');
};
