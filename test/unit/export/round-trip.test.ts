// What an export says about each app (instances, ports, readiness, grace period), read back from
// the exported files, against what orch's own plan says for the same file: the create actions of
// planActions against an empty machine.
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { AppSpec } from '../../../src/config/desired.js';
import { instancePorts } from '../../../src/config/modes.js';
import { exportCompose } from '../../../src/export/compose.js';
import { exportKubernetes, kubeName } from '../../../src/export/kubernetes.js';
import { exportSystemd, unitBase } from '../../../src/export/systemd.js';
import { planActions } from '../../../src/reconcile/plan.js';
import { exportFiles, loadForExport } from './helpers.js';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The plan's view of each app: the specs its create actions carry. */
const plannedApps = async (file: string): Promise<{ specs: AppSpec[]; input: Awaited<ReturnType<typeof loadForExport>>['input'] }> => {
  const { desired, input } = await loadForExport(file);
  const plan = planActions(desired, { apps: [] });
  const specs = plan.actions.map((a) => {
    if (a.type !== 'create') throw new Error(`an empty machine plans only creates, got ${a.type}`);
    return a.spec;
  });
  expect(specs.map((s) => s.name).sort()).toEqual(desired.apps.map((s) => s.name));
  return { specs, input };
};

const range = (text: string): number[] => {
  const [from, to] = text.split('-').map(Number);
  return Array.from({ length: (to ?? from!) - from! + 1 }, (_, k) => from! + k);
};

describe.each(exportFiles())('the export of $name agrees with the plan', ({ file }) => {
  it('kubernetes', async () => {
    const { specs, input } = await plannedApps(file);
    const docs = parseAllDocuments(exportKubernetes(input).stream).map((d) => d.toJS() as Any);
    for (const spec of specs) {
      const deployment = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === kubeName(spec.name))!;
      const pod = deployment.spec.template.spec;
      const [container] = pod.containers;
      expect(deployment.spec.replicas).toBe(spec.instances);
      expect(pod.terminationGracePeriodSeconds).toBe(spec.shutdown.signal === 'SIGKILL' ? 0 : Math.ceil(spec.shutdown.timeoutMs / 1000));
      const service = docs.find((d) => d.kind === 'Service' && d.metadata.name === kubeName(spec.name));
      const ports = instancePorts(spec, 0, spec.instances);
      // Every pod has its own IP: the plan's ports collapse to the first one, on every pod.
      expect(service?.spec.ports[0].port).toBe(ports[0]);
      expect(container.ports?.[0].containerPort).toBe(ports[0]);
      const probe = container.readinessProbe;
      if (spec.port === undefined || spec.ready.type === 'none') expect(probe).toBeUndefined();
      else if (spec.ready.type === 'http') expect(probe.httpGet.path).toBe(spec.ready.path);
      else expect(probe.tcpSocket.port).toBe('app');
    }
  });

  it('systemd', async () => {
    const { specs, input } = await plannedApps(file);
    const result = exportSystemd(input);
    const text = (path: string): string => result.files.find((f) => f.path === path)!.text;
    const wants = /^Wants=(.*)$/m.exec(text(`${input.project}.target`))![1]!.split(' ');
    for (const spec of specs) {
      const base = unitBase(spec);
      const instances = wants.filter((u) => u.startsWith(`${base}@`));
      expect(instances).toEqual(Array.from({ length: spec.instances }, (_, i) => `${base}@${i}.service`));
      const unit = text(`${base}@.service`);
      const planned = instancePorts(spec, 0, spec.instances);
      const exported =
        spec.mode === 'fork'
          ? instances.flatMap((u) => {
              const dropIn = result.files.find((f) => f.path === `${u}.d/port.conf`);
              return dropIn === undefined ? [] : [Number(/PORT=(\d+)/.exec(dropIn.text)![1])];
            })
          : spec.mode === 'socket' && spec.port !== undefined
            ? [Number(/Listen(?:Stream|Datagram)=0\.0\.0\.0:(\d+)/.exec(text(`${base}.socket`))![1])]
            : [...unit.matchAll(/^Environment=PORT=(\d+)$/gm)].map((m) => Number(m[1]));
      expect(exported).toEqual(planned);
      expect(/^Type=(\w+)$/m.exec(unit)![1]).toBe(spec.ready.type === 'notify' ? 'notify' : 'exec');
      const stop = /^TimeoutStopSec=(\d+)(ms|s)$/m.exec(unit)!;
      expect(Number(stop[1]) * (stop[2] === 's' ? 1000 : 1)).toBe(spec.shutdown.timeoutMs);
    }
  });

  it('compose', async () => {
    const { specs, input } = await plannedApps(file);
    const services = (parse(exportCompose(input).stream) as Any).services as Any;
    for (const spec of specs) {
      const service = services[spec.name];
      expect(service.deploy.replicas).toBe(spec.instances);
      const hostPorts = (service.ports ?? []).flatMap((p: string) => range(p.split(':')[0]!));
      const planned = instancePorts(spec, 0, spec.instances);
      // Fork mode: the host ports are the plan's; shared modes publish one per replica from the port.
      if (spec.mode === 'fork' || spec.instances <= 1) expect(hostPorts).toEqual(planned);
      else expect(hostPorts[0]).toBe(planned[0]);
      expect(service.healthcheck !== undefined).toBe(spec.port !== undefined && spec.ready.type !== 'none');
      const grace = /^(\d+)(ms|s)$/.exec(service.stop_grace_period)!;
      expect(Number(grace[1]) * (grace[2] === 's' ? 1000 : 1)).toBe(spec.shutdown.timeoutMs);
    }
  });
});

