// Messages between processes and the agent (SPEC §14), through the built daemon: an agent that
// broadcasts to a 4-worker cluster app, a 2-instance fork app and a Python app (every instance
// gets every message, in order), workers sending to the agent, errors the sender sees, the agent
// started first and restarted on its own.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/ports.js';
import { sandboxPerTest } from '../../helpers/sandbox-per-test.js';
import { readStatus } from '../../helpers/status.js';
import { waitFor } from '../../helpers/wait-for.js';
import { BUS_MAX_DATA_BYTES } from '../../../src/worker/wire.js';
import { applyFile, clientAs, daemonStatus, fixture, pidOf, rawAs } from './bus-helpers.js';

const sb = sandboxPerTest();
const COUNT = 200;
const EXPECT = ['web#0', 'web#1', 'web#2', 'web#3', 'side#0', 'side#1', 'py#0'];

const ecosystem = (out: string, port: number): string => `
version: 1
name: busdemo
apps:
  hub:
    run: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixture('bus-agent.js'))}]
    role: agent
    ready: { type: message, timeout: 20s }
    env: { BUS_EXPECT: "${EXPECT.join(',')}", BUS_COUNT: "${COUNT}", BUS_OUT: ${JSON.stringify(out)} }
  web:
    run: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixture('bus-worker.js'))}]
    mode: cluster
    instances: 4
    port: ${port}
    ready: { timeout: 20s }
    env: { BUS_COUNT: "${COUNT}", BUS_OUT: ${JSON.stringify(out)} }
  side:
    run: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixture('bus-worker.js'))}]
    instances: 2
    ready: { type: message, timeout: 20s }
    env: { BUS_COUNT: "${COUNT}", BUS_OUT: ${JSON.stringify(out)} }
  py:
    run: [python3, ${JSON.stringify(fixture('bus_client.py'))}]
    ready: { type: none, delay: 100ms }
`;

const readJson = <T>(path: string): T | undefined => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined);
const seqs = Array.from({ length: COUNT }, (_, i) => i);

describe('the bus', () => {
  it('an agent broadcasts to cluster workers, fork instances and a Python app: each gets every message once, in order; every worker reached the agent', async () => {
    const out = join(sb.dir, 'out');
    mkdirSync(out);
    await applyFile(sb, ecosystem(out, await freePort()));

    // Workers sending to the agent: each instance's hello arrived, Python's too.
    const hellos = await waitFor(() => {
      const heard = readJson<string[]>(join(out, 'hub-hellos.json'));
      return heard?.length === EXPECT.length ? heard : undefined;
    }, {
      timeout: 20_000,
      what: 'every hello at the agent',
    });
    expect(hellos).toEqual([...EXPECT].sort());

    for (const label of ['web-0', 'web-1', 'web-2', 'web-3', 'side-0', 'side-1']) {
      const got = await waitFor(() => readJson<number[]>(join(out, `${label}.json`)), { timeout: 20_000, what: `${label}'s ticks` });
      expect(got, label).toEqual(seqs);
    }
    // Each broadcast reached the 7 subscribed instances (the agent is not among its own receivers).
    const delivered = await waitFor(() => readJson<number[]>(join(out, 'hub-broadcast.json')), { what: 'the broadcast results' });
    expect(new Set(delivered)).toEqual(new Set([EXPECT.length]));

    // The Python example (bus_client.py, as the README shows it) printed every delivery, in order.
    const pyTicks = await waitFor(
      () => {
        const lines = readFileSync(join(sb.home, 'logs', 'py.log'), 'utf8').split('\n').filter((l) => l.includes(' py#0 out '));
        const frames = lines.map((l) => JSON.parse(l.slice(l.indexOf(' py#0 out ') + ' py#0 out '.length)) as { type: string; from: string; topic: string; data: { seq: number } });
        return frames.length >= COUNT ? frames : undefined;
      },
      { timeout: 20_000, what: "the Python app's deliveries" },
    );
    expect(pyTicks.every((f) => f.type === 'deliver' && f.from === 'hub#0' && f.topic === 'tick')).toBe(true);
    expect(pyTicks.map((f) => f.data.seq)).toEqual(seqs);

    // The agent started first: every other instance started after it.
    const status = await readStatus(sb);
    const started = (await daemonStatus(sb)).apps.flatMap((a) => a.instances.map((i) => ({ app: a.spec.name, at: i.startedAt ?? 0 })));
    const hubAt = started.find((s) => s.app === 'hub')!.at;
    expect(started.filter((s) => s.app !== 'hub').every((s) => s.at > hubAt)).toBe(true);
    expect(status.apps.flatMap((a) => a.instances.map((i) => i.state))).toEqual(Array(8).fill('online'));

    // The bus reports each receiver: nothing dropped.
    const bus = (await daemonStatus(sb)).bus!;
    expect(bus.receivers.filter((r) => r.project === 'busdemo').map((r) => `${r.app}#${r.instance}`).sort()).toEqual([...EXPECT, 'hub#0'].sort());
    expect(bus.receivers.every((r) => r.dropped === 0)).toBe(true);
  }, 120_000);

  it('the sender sees an error for a stopped instance, an unknown app, another project, a message too large; the agent restarts on its own', async () => {
    const out = join(sb.dir, 'out');
    mkdirSync(out);
    const yaml = `
version: 1
name: errs
apps:
  hub:
    run: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixture('bus-agent.js'))}]
    role: agent
    ready: { type: message, timeout: 20s }
    env: { BUS_OUT: ${JSON.stringify(out)} }
  side:
    run: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixture('bus-worker.js'))}]
    instances: 2
    ready: { type: message, timeout: 20s }
    env: { BUS_OUT: ${JSON.stringify(out)} }
`;
    await applyFile(sb, yaml);
    await applyFile(sb, `version: 1\nname: other\napps:\n  foreign:\n    run: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixture('forever.js'))}]\n    ready: { type: none, delay: 100ms }\n`, 'other.yaml');
    const hub = clientAs(await pidOf(sb, 'hub'));

    // Reachable first: side#1 is connected (it said hello).
    await expect(hub.send('side#1', 'tick', { seq: 0 })).resolves.toEqual({ delivered: 1, dropped: 0 });
    expect(await sb.orch(['stop', 'side'])).toMatchObject({ code: 0 });
    await expect(hub.send('side#1', 'tick', { seq: 1 })).rejects.toMatchObject({ code: 'ORCH_BUS_NOT_RUNNING', message: expect.stringContaining('side#1 is not running') });
    await expect(hub.send('side', 'tick', { seq: 1 })).rejects.toMatchObject({ code: 'ORCH_BUS_NOT_RUNNING' });
    await expect(hub.send('nosuch', 'tick', {})).rejects.toMatchObject({ code: 'ORCH_BUS_UNKNOWN_TARGET', message: "no app 'nosuch' in project 'errs'" });
    // The app runs, but in another project: as unknown as a missing one.
    await expect(hub.send('foreign#0', 'tick', {})).rejects.toMatchObject({ code: 'ORCH_BUS_UNKNOWN_TARGET', message: "no app 'foreign' in project 'errs'" });
    await expect(clientAs(await pidOf(sb, 'foreign')).send('agent', 'hello', {})).rejects.toMatchObject({ code: 'ORCH_BUS_UNKNOWN_TARGET', message: "project 'other' has no agent (an app with role: agent)" });
    await expect(hub.send('side', 'tick', 'x'.repeat(BUS_MAX_DATA_BYTES))).rejects.toMatchObject({ code: 'ORCH_BUS_TOO_LARGE' });

    // A raw frame over the bound: an error frame, and the connection goes on.
    const raw = rawAs(await pidOf(sb, 'hub'));
    raw.write(`{"type":"send","id":7,"to":"hub","topic":"t","data":"${'y'.repeat(BUS_MAX_DATA_BYTES + 8192)}"}`);
    raw.write({ type: 'ping', id: 8 });
    raw.write({ type: 'send', id: 9, to: 'side#0', topic: 't', data: 1 });
    await waitFor(() => raw.frames.length >= 4, { what: 'the raw answers' });
    expect(raw.frames.map((f) => [f.type, f.id ?? null, f.code ?? null])).toEqual([
      ['welcome', null, null],
      ['error', null, 'ORCH_BUS_TOO_LARGE'],
      ['ack', 8, null],
      ['error', 9, 'ORCH_BUS_NOT_RUNNING'],
    ]);
    raw.socket.destroy();

    // An unknown token: refused.
    const { BusClient } = await import('../../../src/worker/bus-client.js');
    const stranger = new BusClient(join(sb.home, 'bus.sock'), 'not-a-token');
    await expect(stranger.send('hub', 't', 1)).rejects.toMatchObject({ code: 'ORCH_BUS_UNAUTHORIZED' });

    // The agent, killed, comes back on its own; the other apps are left as they are.
    expect(await sb.orch(['start', 'side'])).toMatchObject({ code: 0 });
    const before = await readStatus(sb);
    const sidePids = before.apps.find((a) => a.name === 'side')!.instances.map((i) => i.pid);
    const hubPid = await pidOf(sb, 'hub');
    process.kill(hubPid, 'SIGKILL');
    const back = await waitFor(
      async () => {
        const s = await readStatus(sb);
        const h = s.apps.find((a) => a.name === 'hub')!.instances[0]!;
        return h.state === 'online' && h.pid !== hubPid ? s : undefined;
      },
      { timeout: 20_000, what: 'the agent back online' },
    );
    expect(back.apps.find((a) => a.name === 'side')!.instances.map((i) => i.pid)).toEqual(sidePids);
  }, 120_000);
});
