/**
 * Rules the schemas miss for stored state: a StatefulSet's volumeClaimTemplates,
 * PersistentVolumes, and the data of ConfigMaps and Secrets.
 */
import { duplicates, exactlyOne, parseQuantity } from './common';
import { dnsLabelProblems } from './rules-metadata';

/** The fields of a `PersistentVolumeSource`; a PersistentVolume sets exactly one. */
const PERSISTENT_VOLUME_SOURCES = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'csi', 'fc', 'flexVolume', 'flocker',
  'gcePersistentDisk', 'glusterfs', 'hostPath', 'iscsi', 'local', 'nfs', 'photonPersistentDisk', 'portworxVolume',
  'quobyte', 'rbd', 'scaleIO', 'storageos', 'vsphereVolume',
];

/** A ConfigMap or Secret data key: letters, digits, `-`, `_` and `.`. */
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

/** Problems of a StatefulSet's volumeClaimTemplates: DNS-label names, unique, each requesting storage. */
export function claimTemplateProblems(object: any): string[] {
  if (object?.kind !== 'StatefulSet') {
    return [];
  }
  const templates: any[] = object.spec?.volumeClaimTemplates ?? [];
  const problems = templates.flatMap((template, i) => [
    ...dnsLabelProblems(`spec.volumeClaimTemplates[${i}].metadata.name`, template.metadata?.name),
    ...(template.spec?.resources?.requests?.storage === undefined ? [`spec.volumeClaimTemplates[${i}].spec.resources.requests.storage: required`] : []),
    ...((template.spec?.accessModes ?? []).length === 0 ? [`spec.volumeClaimTemplates[${i}].spec.accessModes: at least one access mode is required`] : []),
  ]);
  for (const name of duplicates(templates.map(template => template.metadata?.name))) {
    problems.push(`spec.volumeClaimTemplates: name "${name}" is used more than once`);
  }
  return problems;
}

/**
 * Problems of a PersistentVolume: capacity.storage and an access mode are required,
 * exactly one volume source, and an NFS or hostPath path must be absolute.
 */
export function persistentVolumeProblems(object: any): string[] {
  if (object?.kind !== 'PersistentVolume') {
    return [];
  }
  const spec = object.spec ?? {};
  const problems: string[] = [];
  if (Number.isNaN(parseQuantity(spec.capacity?.storage))) {
    problems.push(`spec.capacity.storage: required, a quantity such as 10Gi (got ${JSON.stringify(spec.capacity?.storage)})`);
  }
  if ((spec.accessModes ?? []).length === 0) {
    problems.push('spec.accessModes: at least one access mode is required');
  }
  problems.push(...exactlyOne('spec', spec, PERSISTENT_VOLUME_SOURCES));
  for (const source of ['nfs', 'hostPath']) {
    const path = spec[source]?.path;
    if (spec[source] !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) {
      problems.push(`spec.${source}.path must be an absolute path (got ${JSON.stringify(path)})`);
    }
  }
  if (spec.nfs !== undefined && (typeof spec.nfs.server !== 'string' || spec.nfs.server.trim() === '')) {
    problems.push('spec.nfs.server: required');
  }
  return problems;
}

/** Largest total size of a ConfigMap's or Secret's data, in bytes. */
const MAX_CONFIG_DATA_BYTES = 1024 * 1024;

/**
 * Problems of ConfigMap and Secret data: keys of `-._a-zA-Z0-9` at most 253 characters,
 * none in both `data` and `binaryData`, at most 1 MiB in total (base64 values counted decoded).
 */
export function dataKeyProblems(object: any): string[] {
  if (object?.kind !== 'ConfigMap' && object?.kind !== 'Secret') {
    return [];
  }
  const problems: string[] = [];
  const sections = ['data', 'binaryData', 'stringData'].filter(section => object[section] !== undefined);
  let bytes = 0;
  for (const section of sections) {
    for (const [key, value] of Object.entries(object[section] as Record<string, unknown>)) {
      if (key.length > 253 || !CONFIG_KEY.test(key) || key === '.' || key === '..') {
        problems.push(`${section}["${key}"]: key must be at most 253 letters, digits, '-', '_' or '.' (and not '.' or '..')`);
      }
      const encoding = section === 'binaryData' || (object.kind === 'Secret' && section === 'data') ? 'base64' : 'utf8';
      bytes += Buffer.byteLength(key) + Buffer.from(String(value), encoding).length;
    }
  }
  const inBoth = Object.keys(object.data ?? {}).filter(key => object.binaryData?.[key] !== undefined);
  problems.push(...inBoth.map(key => `binaryData["${key}"]: key is also in data`));
  if (bytes > MAX_CONFIG_DATA_BYTES) {
    problems.push(`data: ${bytes} bytes in total, more than the ${MAX_CONFIG_DATA_BYTES} a ${object.kind} may hold`);
  }
  return problems;
}

