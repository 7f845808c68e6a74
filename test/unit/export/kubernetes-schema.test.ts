// The exported objects against real descriptions of the Kubernetes API: kubernetes-models
// validates types, required fields and formats (its JSON schemas come from the API's OpenAPI);
// its validators accept unknown fields, so @kubernetes/client-node's generated field tables
// (also from the OpenAPI) reject any field the API does not have.
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { exportFiles, exportOf } from './helpers.js';

interface Attribute {
  readonly baseName: string;
  readonly type: string;
}
type Models = Record<string, { getAttributeTypeMap?: () => readonly Attribute[] } | undefined>;

const MODELS = { Deployment, Service, ConfigMap, Secret } as const;
const ROOT_TYPES: Record<string, string> = { Deployment: 'V1Deployment', Service: 'V1Service', ConfigMap: 'V1ConfigMap', Secret: 'V1Secret' };

let models: Models;
beforeAll(async () => {
  // WARNING: only the generated models, not the package's index: the client itself needs Node 22.
  const path: string = '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
  models = (await import(path)) as Models;
});

/** Every path in `value` that the client-node model `type` has no field for. */
const unknownFields = (value: unknown, type: string, path: string): string[] => {
  const array = /^Array<(.+)>$/.exec(type);
  if (array !== null) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, array[1]!, `${path}[${i}]`)) : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map !== null) {
    return value !== null && typeof value === 'object' ? Object.entries(value).flatMap(([k, v]) => unknownFields(v, map[1]!, `${path}.${k}`)) : [];
  }
  const model = models[type];
  if (model?.getAttributeTypeMap === undefined) return []; // a primitive, IntOrString, Date, object
  if (value === null || typeof value !== 'object') return [`${path}: expected an object of ${type}`];
  const attributes = model.getAttributeTypeMap();
  return Object.entries(value).flatMap(([k, v]) => {
    const attribute = attributes.find((a) => a.baseName === k);
    return attribute === undefined ? [`${path}.${k}: no such field in ${type}`] : unknownFields(v, attribute.type, `${path}.${k}`);
  });
};

const objectsOf = async (file: string): Promise<Record<string, unknown>[]> => {
  const result = await exportOf('kubernetes', file);
  return result.files
    .filter((f) => f.path !== 'kustomization.yaml')
    .flatMap((f) => parseAllDocuments(f.text).map((d) => d.toJS() as Record<string, unknown>));
};

describe('the field check itself', () => {
  it('rejects a field the API does not have, at any depth, and accepts real ones', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x', labels: { a: 'b' } },
      spec: { template: { spec: { containers: [{ name: 'x', image: 'i', readinessProbe: { tcpSocket: { port: 1 }, bogus: true } }] } } },
      extra: 1,
    };
    expect(unknownFields(deployment, 'V1Deployment', 'Deployment').sort()).toEqual([
      'Deployment.extra: no such field in V1Deployment',
      'Deployment.spec.template.spec.containers[0].readinessProbe.bogus: no such field in V1Probe',
    ]);
  });

  it('kubernetes-models rejects a wrong type', () => {
    const bad = new Deployment({
      metadata: { name: 'x' },
      spec: { selector: {}, template: { spec: { containers: [{ name: 'x', ports: [{ containerPort: 'x' as unknown as number }] }] } } },
    });
    expect(() => bad.validate()).toThrow(/containerPort must be integer/);
  });
});

describe.each(exportFiles())('kubernetes objects of $name', ({ file }) => {
  it('validate against kubernetes-models and have only fields of the API', async () => {
    const objects = await objectsOf(file);
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) {
      const kind = o.kind as keyof typeof MODELS;
      expect(Object.keys(MODELS)).toContain(kind);
      const Model = MODELS[kind] as unknown as new (data: unknown) => { validate(): void };
      expect(() => new Model(o).validate(), `${kind} ${JSON.stringify(o.metadata)}`).not.toThrow();
      expect(unknownFields(o, ROOT_TYPES[kind]!, kind)).toEqual([]);
    }
  });

  it('Deployment selectors match their pod labels, Services select the Deployment\'s pods', async () => {
    const objects = await objectsOf(file);
    for (const d of objects.filter((o) => o.kind === 'Deployment') as { metadata: { name: string }; spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> } } } }[]) {
      expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
      const service = objects.find((o) => o.kind === 'Service' && (o.metadata as { name: string }).name === d.metadata.name) as { spec: { selector: Record<string, string> } } | undefined;
      if (service !== undefined) expect(service.spec.selector).toEqual(d.spec.selector.matchLabels);
    }
  });
});
