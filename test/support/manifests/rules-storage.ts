/**
 * Rules the schemas miss for stored state: claims (PersistentVolumeClaims and a
 * StatefulSet's volumeClaimTemplates), PersistentVolumes, StorageClasses, and the data
 * of ConfigMaps and Secrets.
 */
import { duplicates, exactlyOne, parseQuantity } from './common';
import {
  configKeyProblems, dnsLabelProblems, dnsSubdomainProblems, labelKeyProblems, labelSelectorProblems,
} from './rules-metadata';

/** The access modes `supportedAccessModes` of pkg/apis/core/validation accepts. */
const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];

/**
 * Problems of a list of access modes, as ValidatePersistentVolumeClaimSpec and
 * ValidatePersistentVolumeSpec check it: at least one, each a supported mode (so a
 * string spread into its letters fails), and ReadWriteOncePod alone. The API server
 * does not refuse a mode listed twice, so neither do we.
 */
export function accessModeProblems(what: string, modes: unknown): string[] {
  if (!Array.isArray(modes) || modes.length === 0) {
    return [`${what}: at least one access mode is required`];
  }
  const problems = modes.filter(mode => !ACCESS_MODES.includes(mode))
    .map(mode => `${what}: ${JSON.stringify(mode)} is not an access mode (expected ${ACCESS_MODES.join(', ')})`);
  if (modes.includes('ReadWriteOncePod') && modes.some(mode => mode !== 'ReadWriteOncePod' && ACCESS_MODES.includes(mode))) {
    problems.push(`${what}: ReadWriteOncePod cannot be combined with other access modes`);
  }
  return problems;
}

/**
 * Problems of a claim's spec (ValidatePersistentVolumeClaimSpec): access modes, a
 * storage request that is a positive quantity (ValidatePositiveQuantityValue), a
 * DNS-subdomain storageClassName (ValidateClassName) and a valid selector.
 */
export function claimSpecProblems(spec: any, path: string): string[] {
  const problems = accessModeProblems(`${path}.accessModes`, spec?.accessModes);
  const storage = spec?.resources?.requests?.storage;
  if (storage === undefined) {
    problems.push(`${path}.resources.requests.storage: required`);
  } else if (!(parseQuantity(storage) > 0)) {
    problems.push(`${path}.resources.requests.storage must be a quantity greater than zero (got ${JSON.stringify(storage)})`);
  }
  if (spec?.storageClassName) {
    problems.push(...dnsSubdomainProblems(`${path}.storageClassName`, spec.storageClassName));
  }
  problems.push(...labelSelectorProblems(`${path}.selector`, spec?.selector));
  return problems;
}

/** Problems of a PersistentVolumeClaim: its spec as {@link claimSpecProblems}. */
export function persistentVolumeClaimProblems(object: any): string[] {
  return object?.kind === 'PersistentVolumeClaim' ? claimSpecProblems(object.spec, 'spec') : [];
}

/** The fields of a `PersistentVolumeSource`; a PersistentVolume sets exactly one. */
const PERSISTENT_VOLUME_SOURCES = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'csi', 'fc', 'flexVolume', 'flocker',
  'gcePersistentDisk', 'glusterfs', 'hostPath', 'iscsi', 'local', 'nfs', 'photonPersistentDisk', 'portworxVolume',
  'quobyte', 'rbd', 'scaleIO', 'storageos', 'vsphereVolume',
];

/**
 * Problems of a StatefulSet's volumeClaimTemplates: DNS-label names, unique, each spec
 * one the API server accepts for the claims the controller creates from it.
 */
export function claimTemplateProblems(object: any): string[] {
  if (object?.kind !== 'StatefulSet') {
    return [];
  }
  const templates: any[] = object.spec?.volumeClaimTemplates ?? [];
  const problems = templates.flatMap((template, i) => [
    ...dnsLabelProblems(`spec.volumeClaimTemplates[${i}].metadata.name`, template.metadata?.name),
    ...claimSpecProblems(template.spec, `spec.volumeClaimTemplates[${i}].spec`),
  ]);
  for (const name of duplicates(templates.map(template => template.metadata?.name))) {
    problems.push(`spec.volumeClaimTemplates: name "${name}" is used more than once`);
  }
  return problems;
}

/**
 * Problems of a PersistentVolume (ValidatePersistentVolumeSpec): capacity holding only
 * storage, a positive quantity; supported access modes; exactly one volume source; an
 * NFS or hostPath path must be absolute.
 */
export function persistentVolumeProblems(object: any): string[] {
  if (object?.kind !== 'PersistentVolume') {
    return [];
  }
  const spec = object.spec ?? {};
  const problems: string[] = [];
  const storage = spec.capacity?.storage;
  if (Number.isNaN(parseQuantity(storage))) {
    problems.push(`spec.capacity.storage: required, a quantity such as 10Gi (got ${JSON.stringify(storage)})`);
  } else if (!(parseQuantity(storage) > 0)) {
    problems.push(`spec.capacity.storage must be greater than zero (got ${JSON.stringify(storage)})`);
  }
  for (const resource of Object.keys(spec.capacity ?? {}).filter(name => name !== 'storage')) {
    problems.push(`spec.capacity.${resource}: a PersistentVolume's capacity holds only storage`);
  }
  problems.push(...accessModeProblems('spec.accessModes', spec.accessModes));
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

/**
 * Problems of a StorageClass (ValidateStorageClass): `validateProvisioner` requires the
 * provisioner, lower-cased, to be a qualified name (`kubernetes.io/nfs`, no spaces).
 */
export function storageClassProblems(object: any): string[] {
  if (object?.kind !== 'StorageClass') {
    return [];
  }
  const provisioner = object.provisioner;
  if (typeof provisioner !== 'string' || provisioner === '') {
    return [`provisioner: required (got ${JSON.stringify(provisioner)})`];
  }
  return labelKeyProblems('provisioner', provisioner.toLowerCase())
    .map(() => `provisioner must be a qualified name ([DNS-subdomain prefix/]name of at most 63 letters, digits, '-', '_' or '.') (got "${provisioner}")`)
    .slice(0, 1);
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
      problems.push(...configKeyProblems(`${section}["${key}"]`, key));
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

