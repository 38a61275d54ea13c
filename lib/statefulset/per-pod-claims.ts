import { Size } from 'cdk8s';
import * as k8s from '../internal/k8s';
import { INamedResource } from './workloads';
import {
  MAX_DNS_LABEL_LENGTH, requireDistinct, requireDnsLabel, requireDnsSubdomain, requireEnumArray, requireInteger, requirePlainObject, requirePositiveSize,
} from '../internal/validate';

/** How a volume may be mounted (the PersistentVolume access modes). */
export enum VolumeAccessMode {
  /** Read-write by a single node. */
  READ_WRITE_ONCE = 'ReadWriteOnce',
  /** Read-write by a single pod. */
  READ_WRITE_ONCE_POD = 'ReadWriteOncePod',
  /** Read-only by many nodes. */
  READ_ONLY_MANY = 'ReadOnlyMany',
  /** Read-write by many nodes. */
  READ_WRITE_MANY = 'ReadWriteMany',
}

/** Props of {@link PerPodClaims}. */
export interface PerPodClaimsProps {
  /** The StatefulSet whose pods own the claims. */
  readonly statefulSet: INamedResource;
  /** Namespace of the StatefulSet (and so of its claims). */
  readonly namespace: string;
  /** Number of pods, and so of claims. */
  readonly replicas: number;
  /**
   * Name of the claim template; it is also the volume name containers mount.
   * @default 'data'
   */
  readonly templateName?: string;
  /**
   * Requested size of each claim.
   * @default Size.gibibytes(10)
   */
  readonly size?: Size;
  /**
   * StorageClass of the claims. Static PersistentVolumes only bind to claims of the
   * same class; `''` asks for a volume without a class (no dynamic provisioning).
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /**
   * Access modes of the claims.
   * @default [VolumeAccessMode.READ_WRITE_ONCE]
   */
  readonly accessModes?: VolumeAccessMode[];
}

/**
 * The claims a StatefulSet's `volumeClaimTemplates` entry creates, one per pod, named
 * `<template>-<statefulset>-<ordinal>`. Knows nothing about what runs in the pods, so
 * it serves any StatefulSet: an L1 `KubeStatefulSet` takes {@link toVolumeClaimTemplate},
 * a cdk8s-plus `StatefulSet` gets it through {@link ClaimTemplate.add}, and
 * {@link NfsPersistentVolumes} or {@link HostPathPersistentVolumes} pre-bind volumes to it.
 */
export class PerPodClaims {
  /** The StatefulSet's name. */
  public readonly statefulSetName: string;
  /** Namespace of the claims. */
  public readonly namespace: string;
  /** Number of claims. */
  public readonly replicas: number;
  /** Claim template (and volume) name. */
  public readonly templateName: string;
  /** Requested size of each claim. */
  public readonly size: Size;
  /** StorageClass of the claims, if set. */
  public readonly storageClassName?: string;
  /** Access modes of the claims. */
  public readonly accessModes: VolumeAccessMode[];

  constructor(props: PerPodClaimsProps) {
    requirePlainObject('PerPodClaims props', props);
    requirePlainObject('statefulSet', props.statefulSet);
    this.statefulSetName = requireDnsLabel('statefulSet name', props.statefulSet.name);
    this.namespace = requireDnsLabel('namespace', props.namespace);
    this.replicas = requireInteger('replicas', props.replicas, 1);
    this.templateName = requireDnsLabel('claim templateName', props.templateName ?? 'data');
    this.size = props.size ?? Size.gibibytes(10);
    requirePositiveSize('claim size', this.size);
    // '' is Kubernetes' "no class": the claim binds only to volumes without a class.
    this.storageClassName = props.storageClassName === undefined || props.storageClassName === ''
      ? props.storageClassName : requireDnsSubdomain('storageClassName', props.storageClassName);
    this.accessModes = requireEnumArray('accessModes', props.accessModes ?? [VolumeAccessMode.READ_WRITE_ONCE], VolumeAccessMode);
    if (this.accessModes.length === 0) {
      throw new Error('accessModes must name at least one access mode (got [])');
    }
    requireDistinct('accessModes', this.accessModes);
    if (this.accessModes.includes(VolumeAccessMode.READ_WRITE_ONCE_POD) && this.accessModes.length > 1) {
      throw new Error(`accessModes must hold ReadWriteOncePod alone: the API server refuses it with other modes (got [${this.accessModes.join(', ')}])`);
    }
    const longest = this.claimName(this.replicas - 1);
    if (longest.length > MAX_DNS_LABEL_LENGTH) {
      throw new Error(`claim names must be at most ${MAX_DNS_LABEL_LENGTH} characters, but "${longest}" has ${longest.length}`);
    }
  }

  /** Name of the claim the StatefulSet controller creates for pod `ordinal`. */
  public claimName(ordinal: number): string {
    requireInteger('ordinal', ordinal, 0);
    return `${this.templateName}-${this.statefulSetName}-${ordinal}`;
  }

  /** Every claim name, ordinal 0 first. */
  public get claimNames(): string[] {
    return Array.from({ length: this.replicas }, (_, ordinal) => this.claimName(ordinal));
  }

  /** The `volumeClaimTemplates` entry for the StatefulSet spec. */
  public toVolumeClaimTemplate(): k8s.KubePersistentVolumeClaimProps {
    return {
      metadata: { name: this.templateName },
      spec: {
        accessModes: [...this.accessModes],
        storageClassName: this.storageClassName,
        resources: { requests: { storage: k8s.Quantity.fromString(this.size.asString()) } },
      },
    };
  }
}
