/// <reference lib="dom" />
// The dashboard page: the apps table (live, from the stream's ticks), one app in detail (charts,
// events, its log followed live, the buttons), and the generations. Plain DOM, no framework.
import type { ActionResult } from '../daemon/protocol.js';
import {
  type AppEvent,
  type AppRow,
  DASHBOARD_VERBS,
  type DashboardState,
  type DashboardVerb,
  type GenerationInfo,
  type LogLine,
  type Sample,
  type SampleSeries,
  type Tick,
  instanceKey,
} from '../daemon/dashboard/wire.js';
import { Api, tokenFromLocation } from './api.js';
import { renderChart } from './chart.js';
import { byId, h } from './dom.js';
import { eventText, isCrash } from './event-text.js';
import { bytes, clock, percent, uptime } from './format.js';

const HOUR_MS = 60 * 60 * 1000;
const LOG_LINES_KEPT = 2000;
const EVENTS_KEPT = 500;
const RETRY_MS = 2000;

const token = tokenFromLocation(location.hash);

interface PageState {
  state: DashboardState | undefined;
  selected: string | undefined;
  samples: Map<string, Sample[]>;
  events: AppEvent[];
  log: LogLine[];
  logAbort: AbortController | undefined;
}
const page: PageState = { state: undefined, selected: undefined, samples: new Map(), events: [], log: [], logAbort: undefined };

const appOf = (name: string | undefined): AppRow | undefined => page.state?.apps.find((a) => a.name === name);

// ------------------------------------------------------------------ apps table

const renderApps = (): void => {
  const state = page.state;
  if (state === undefined) return;
  const rows = state.apps.flatMap((app) => {
    const instances = app.instances.length > 0 ? app.instances : [undefined];
    return instances.map((i, k) =>
      h(
        'tr',
        { 'data-app': app.name, 'data-instance': i?.index, class: [k === 0 ? 'app-first' : '', app.name === page.selected ? 'selected' : ''].join(' ').trim() || undefined },
        h('td', { class: 'app' }, k === 0 ? h('strong', {}, app.name) : '', k === 0 ? h('span', { class: 'meta' }, ` ${app.project} · ${app.mode}${app.stopped ? ' · stopped' : ''}`) : ''),
        h('td', { class: 'num' }, i?.index ?? '-'),
        h('td', { class: `state state-${i?.state ?? 'stopped'}`, title: i?.reason ?? undefined }, i?.state ?? (app.stopped ? 'stopped' : '-')),
        h('td', { class: 'num pid' }, i?.pid ?? '-'),
        h('td', { class: 'num' }, i === undefined ? '-' : i.pid === null ? '-' : uptime(i.startedAt, state.time)),
        h('td', { class: 'num restarts' }, i?.restarts ?? '-'),
        h('td', { class: 'num' }, percent(i?.cpu ?? null)),
        h('td', { class: 'num' }, bytes(i?.memory ?? null)),
        h('td', { class: 'num' }, i?.port ?? app.port ?? '-'),
      ),
    );
  });
  byId('apps').querySelector('tbody')!.replaceChildren(...(rows.length > 0 ? rows : [h('tr', {}, h('td', { colspan: 9, class: 'meta' }, 'no apps: orch apply a file'))]));
  const warnings = byId('warnings');
  warnings.hidden = state.warnings.length === 0;
  warnings.textContent = state.warnings.join(' · ');
};

// ------------------------------------------------------------------ one app

const renderDetail = (): void => {
  const app = appOf(page.selected);
  const detail = byId('detail');
  detail.hidden = app === undefined;
  if (app === undefined || page.state === undefined) return;
  byId('detail-name').textContent = app.name;
  const ready = app.instances.filter((i) => i.state === 'online').length;
  byId('detail-meta').textContent = `${app.project} · ${app.mode}${app.port === null ? '' : ` · port ${app.port}`} · ${ready}/${app.desired} online · generation ${app.generation ?? '-'}${
    app.droppedLines > 0 ? ` · ${app.droppedLines} log lines dropped` : ''
  }`;
  const actions = byId('actions');
  if (actions.dataset.app !== app.name) {
    actions.dataset.app = app.name;
    actions.replaceChildren(...DASHBOARD_VERBS.map((verb) => h('button', { type: 'button', 'data-verb': verb }, verb)));
  }
  for (const button of actions.querySelectorAll<HTMLButtonElement>('button')) {
    const effect = app.actions[button.dataset.verb as DashboardVerb];
    button.className = effect.interrupts ? 'danger' : '';
    button.title = effect.label;
  }
  const now = page.state.time;
  const series = (pick: (s: Sample) => number) =>
    app.instances.map((i) => ({ name: `#${i.index}`, points: (page.samples.get(instanceKey(app.name, i.index)) ?? []).map((s) => ({ time: s.time, value: pick(s) })) }));
  // The last hour, or less while less has been sampled (the daemon samples only while a page looks).
  const oldest = Math.min(now, ...[...page.samples.values()].map((points) => points[0]?.time ?? now));
  const windowMs = Math.min(HOUR_MS, Math.max(60_000, now - oldest));
  renderChart(byId('chart-cpu'), series((s) => s.cpu), { now, windowMs, format: (v) => `${v.toFixed(v < 10 ? 1 : 0)}%` });
  renderChart(byId('chart-memory'), series((s) => s.memory), { now, windowMs, format: (v) => bytes(Math.round(v)) });
};

const renderEvents = (): void => {
  const items = [...page.events].reverse().map((e) =>
    h('li', { class: `${e.type}${isCrash(e) ? ' crash' : ''}`, 'data-type': e.type }, h('span', { class: 'time' }, clock(e.time)), ' ', e.instance === null ? '' : `#${e.instance} `, eventText(e)),
  );
  byId('events').replaceChildren(...items);
};

const logFilter = (): string => byId<HTMLInputElement>('log-filter').value.trim().toLowerCase();

const logLineEl = (l: LogLine): HTMLElement =>
  h('div', { class: `line${l.stream === 'err' ? ' err' : ''}` }, h('span', { class: 'time' }, clock(l.time)), l.instance === null ? ' ' : ` #${l.instance} `, l.line);

const renderLog = (): void => {
  const filter = logFilter();
  const shown = filter === '' ? page.log : page.log.filter((l) => l.line.toLowerCase().includes(filter));
  const log = byId('log');
  log.replaceChildren(...shown.map(logLineEl));
  if (byId<HTMLInputElement>('log-follow').checked) log.scrollTop = log.scrollHeight;
};

const appendLog = (lines: readonly LogLine[]): void => {
  page.log.push(...lines);
  const over = page.log.length - LOG_LINES_KEPT;
  if (over > 0) page.log.splice(0, over);
  const filter = logFilter();
  const log = byId('log');
  if (over > 0) return renderLog();
  log.append(...lines.filter((l) => filter === '' || l.line.toLowerCase().includes(filter)).map(logLineEl));
  if (byId<HTMLInputElement>('log-follow').checked) log.scrollTop = log.scrollHeight;
};

const select = async (name: string, api: Api): Promise<void> => {
  if (page.selected === name) return;
  page.selected = name;
  page.events = [];
  page.log = [];
  page.samples = new Map();
  page.logAbort?.abort();
  const abort = new AbortController();
  page.logAbort = abort;
  renderApps();
  renderDetail();
  renderEvents();
  renderLog();
  const enc = encodeURIComponent(name);
  const [events, samples] = await Promise.all([api.get<AppEvent[]>(`/api/apps/${enc}/events`), api.get<SampleSeries>(`/api/apps/${enc}/samples`)]);
  if (page.selected !== name) return;
  // Events pushed while these were fetched are kept once.
  const seen = new Set(events.map((e) => JSON.stringify(e)));
  page.events = [...events, ...page.events.filter((e) => !seen.has(JSON.stringify(e)))].slice(-EVENTS_KEPT);
  for (const [key, points] of Object.entries(samples)) page.samples.set(key, [...points]);
  renderEvents();
  renderDetail();
  followLog(name, api, abort.signal);
};

const followLog = (name: string, api: Api, signal: AbortSignal): void => {
  void api
    .stream(`/api/apps/${encodeURIComponent(name)}/logs`, (event, data) => {
      if (event === 'lines') appendLog(data as LogLine[]);
    }, signal)
    .catch(() => undefined)
    .finally(() => {
      // Dropped (the daemon restarted): follow again, from a fresh tail.
      if (signal.aborted || page.selected !== name) return;
      setTimeout(() => {
        if (signal.aborted || page.selected !== name) return;
        page.log = [];
        followLog(name, api, signal);
      }, RETRY_MS);
    });
};

// ------------------------------------------------------------------ actions

const confirmAction = (label: string, interrupts: boolean): Promise<boolean> => {
  const dialog = byId<HTMLDialogElement>('confirm');
  const text = byId('confirm-label');
  const [verbApp, ...rest] = label.split(': ');
  text.replaceChildren(`${verbApp}: `, h('span', { class: interrupts ? 'interrupts' : '' }, rest.join(': ')));
  byId('confirm-note').textContent = interrupts ? 'While it runs, the app may refuse connections.' : 'The app keeps serving while this runs.';
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
};

const runAction = async (verb: DashboardVerb, api: Api): Promise<void> => {
  const app = appOf(page.selected);
  if (app === undefined) return;
  const effect = app.actions[verb];
  if (!(await confirmAction(effect.label, effect.interrupts))) return;
  const result = byId('action-result');
  result.hidden = false;
  result.textContent = `${verb} ${app.name}: running…`;
  try {
    const r = await api.post<ActionResult>(`/api/apps/${encodeURIComponent(app.name)}/${verb}`);
    result.textContent = `${verb} ${app.name}: ${r.ok ? 'done' : `failed: ${r.reason ?? ''}`}${r.warning === undefined ? '' : ` (${r.warning})`}`;
  } catch (err) {
    result.textContent = `${verb} ${app.name}: ${(err as Error).message}`;
  }
};

// ------------------------------------------------------------------ generations

const renderHistory = async (api: Api): Promise<void> => {
  const generations = await api.get<GenerationInfo[]>('/api/history');
  const rows = [...generations].reverse().map((g) =>
    h(
      'tr',
      { 'data-generation': g.number },
      h('td', { class: 'num' }, g.number),
      h('td', {}, g.project),
      h('td', {}, new Date(g.time).toLocaleString(undefined, { hour12: false })),
      h(
        'td',
        {},
        g.repeats !== undefined
          ? `no changes (repeats ${g.repeats})`
          : `+${g.summary.create} ~${g.summary.change} -${g.summary.delete}${g.rollbackOf === undefined ? '' : ` (rollback to ${g.rollbackOf})`}`,
      ),
      h('td', {}, g.file),
      h('td', {}, g.commit === undefined ? '-' : `${g.commit.slice(0, 10)}${g.dirty === true ? ' (dirty)' : ''}`),
    ),
  );
  byId('history').querySelector('tbody')!.replaceChildren(...(rows.length > 0 ? rows : [h('tr', {}, h('td', { colspan: 6, class: 'meta' }, 'no generation yet'))]));
};

// ------------------------------------------------------------------ the stream

const onTick = (tick: Tick): void => {
  page.state = tick.state;
  if (page.selected === undefined && tick.state.apps.length > 0) return void select(tick.state.apps[0]!.name, api!);
  if (tick.samples !== undefined && page.selected !== undefined) {
    for (const [key, sample] of Object.entries(tick.samples)) {
      if (!key.startsWith(`${page.selected}#`)) continue;
      const points = page.samples.get(key) ?? [];
      points.push(sample);
      page.samples.set(key, points.filter((p) => p.time >= tick.state.time - HOUR_MS));
    }
  }
  renderApps();
  renderDetail();
};

const onEvents = (events: readonly AppEvent[]): void => {
  const mine = events.filter((e) => e.app === page.selected);
  if (mine.length === 0) return;
  page.events = [...page.events, ...mine].slice(-EVENTS_KEPT);
  renderEvents();
};

const connect = (api: Api): void => {
  const status = byId('connection');
  void api
    .stream('/api/stream', (event, data) => {
      status.textContent = 'live';
      status.className = 'connection live';
      if (event === 'tick') onTick(data as Tick);
      else if (event === 'events') onEvents(data as AppEvent[]);
    }, new AbortController().signal)
    .catch((err: unknown) => {
      status.title = (err as Error).message;
    })
    .finally(() => {
      status.textContent = 'disconnected: retrying';
      status.className = 'connection lost';
      setTimeout(() => connect(api), RETRY_MS);
    });
};

const api = token === undefined ? undefined : new Api(token);

const start = (api: Api): void => {
  byId('apps').addEventListener('click', (e) => {
    const row = (e.target as HTMLElement).closest<HTMLElement>('tr[data-app]');
    if (row?.dataset.app !== undefined) void select(row.dataset.app, api);
  });
  byId('actions').addEventListener('click', (e) => {
    const verb = (e.target as HTMLElement).closest<HTMLElement>('button[data-verb]')?.dataset.verb;
    if (verb !== undefined) void runAction(verb as DashboardVerb, api);
  });
  byId('log-filter').addEventListener('input', renderLog);
  for (const tab of document.querySelectorAll<HTMLButtonElement>('button.tab')) {
    tab.addEventListener('click', () => {
      for (const t of document.querySelectorAll('button.tab')) t.classList.toggle('active', t === tab);
      byId('view-apps').hidden = tab.dataset.tab !== 'apps';
      byId('view-history').hidden = tab.dataset.tab !== 'history';
      if (tab.dataset.tab === 'history') void renderHistory(api).catch(() => undefined);
    });
  }
  connect(api);
};

if (api === undefined) {
  byId('no-token').hidden = false;
  document.querySelector('main')!.hidden = true;
} else {
  start(api);
}
