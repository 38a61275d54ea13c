import { createHash } from 'crypto';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { StatefulMySQL, StatefulMySQLProps } from '../../lib';

/** A synthesized Kubernetes object, as plain JSON. */
export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [key: string]: any }; [key: string]: any };

/** Synthesizes a chart into plain objects. */
export function synth(chart: Chart): KubeObject[] {
  return Testing.synth(chart) as KubeObject[];
}

/** The single object of this kind and name; fails the test when there is not exactly one. */
export function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const matches = objects.filter(o => o.kind === kind && o.metadata?.name === name);
  if (matches.length !== 1) {
    const present = objects.map(o => `${o.kind}/${o.metadata?.name}`).join(', ');
    throw new Error(`expected exactly one ${kind}/${name}, found ${matches.length} among: ${present}`);
  }
  return matches[0];
}

/** Every object of this kind. */
export function allOfKind(objects: KubeObject[], kind: string): KubeObject[] {
  return objects.filter(o => o.kind === kind);
}

/** A container of a pod spec by name (init containers included). */
export function container(podSpec: any, name: string): any {
  const all = [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])];
  const found = all.find((c: any) => c.name === name);
  if (!found) {
    throw new Error(`no container "${name}" among ${all.map((c: any) => c.name).join(', ')}`);
  }
  return found;
}

/** A container's env by name: each variable's value, or its `valueFrom`. */
export function envOf(c: any): Record<string, any> {
  return Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

/** The value of a plain env var of a container. */
export function envValue(c: any, name: string): string | undefined {
  return (c.env ?? []).find((e: any) => e.name === name)?.value;
}

/** True when every key/value of `selector` is among `labels`. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The plain (non-Secret) environment a container of the StatefulMySQL `mysql` synthesized with `props` gets. */
export function manifestEnv(props: StatefulMySQLProps, containerName: string): Record<string, string> {
  const chart = Testing.chart();
  new StatefulMySQL(chart, 'mysql', props);
  const spec = find(synth(chart), 'StatefulSet', 'mysql').spec.template.spec;
  return Object.fromEntries(container(spec, containerName).env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
}

/**
 * The objects with every ConfigMap value that is a shipped file (a script of
 * lib/mysql/scripts, byte for byte) replaced by its name and hash, for snapshots that
 * review well: the bytes themselves are asserted elsewhere (stateful-mysql.test.ts).
 */
export function redactShippedAssets(objects: KubeObject[]): KubeObject[] {
  const dir = join(__dirname, '..', '..', 'lib', 'mysql', 'scripts');
  const shipped = new Map(readdirSync(dir).map(file => [readFileSync(join(dir, file), 'utf8'), `lib/mysql/scripts/${file}`]));
  return objects.map(o => o.kind !== 'ConfigMap' || !o.data ? o : {
    ...o,
    data: Object.fromEntries(Object.entries(o.data as Record<string, string>).map(([key, value]) => {
      const file = shipped.get(value);
      return [key, file ? `<${file}, sha256 ${createHash('sha256').update(value).digest('hex').slice(0, 16)}>` : value];
    })),
  });
}
