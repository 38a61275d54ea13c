import * as k8s from '../internal/k8s';
import {
  optionalPlainObject, requireArray, requireBoolean, requireDnsSubdomain, requireEnum, requireInteger, requireLabels, requireLabelValue,
  requirePlainObject, requireQualifiedName,
} from '../internal/validate';

/** Options of {@link Spread}. */
export interface SpreadOptions {
  /**
   * Node label whose values are the failure domains.
   * @default 'kubernetes.io/hostname' (one member per node)
   */
  readonly topologyKey?: string;
}

/** One failure domain per node. */
const DEFAULT_TOPOLOGY_KEY = 'kubernetes.io/hostname';

/** The topology key of the options: a node label key (a qualified name). */
function topologyKeyOf(options: SpreadOptions): string {
  optionalPlainObject('spread options', options);
  return requireQualifiedName('spread topologyKey', options?.topologyKey ?? DEFAULT_TOPOLOGY_KEY);
}

/** How members are spread over failure domains (pod anti-affinity among the members). */
export class Spread {
  /** Prefer distinct domains; members share one when there are not enough. The default. */
  public static preferred(options: SpreadOptions = {}): Spread {
    return new Spread('preferred', topologyKeyOf(options));
  }

  /** Require distinct domains: a member without a free domain stays Pending. */
  public static required(options: SpreadOptions = {}): Spread {
    return new Spread('required', topologyKeyOf(options));
  }

  /** No spreading rule. */
  public static none(): Spread {
    return new Spread('none', DEFAULT_TOPOLOGY_KEY);
  }

  private constructor(private readonly mode: 'preferred' | 'required' | 'none', private readonly topologyKey: string) {}

  /** @internal The pod anti-affinity for members with these labels, if any. */
  public _toAffinity(memberLabels: Record<string, string>): k8s.Affinity | undefined {
    if (this.mode === 'none') return undefined;
    const term: k8s.PodAffinityTerm = { labelSelector: { matchLabels: { ...memberLabels } }, topologyKey: this.topologyKey };
    return {
      podAntiAffinity: this.mode === 'required'
        ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
        : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
    };
  }
}

/** Effect of a taint a toleration matches. */
export enum TaintEffect {
  /** Pods that do not tolerate the taint are not scheduled. */
  NO_SCHEDULE = 'NoSchedule',
  /** The scheduler tries not to place pods that do not tolerate the taint. */
  PREFER_NO_SCHEDULE = 'PreferNoSchedule',
  /** Pods that do not tolerate the taint are evicted. */
  NO_EXECUTE = 'NoExecute',
}

/** A toleration of a node taint. */
export interface Toleration {
  /**
   * Taint key; empty with `exists: true` tolerates every taint.
   * @default - every key (only with `exists: true`)
   */
  readonly key?: string;
  /**
   * Tolerate the taint whatever its value, instead of only `value`.
   * @default false
   */
  readonly exists?: boolean;
  /**
   * Taint value to match (not with `exists`).
   * @default - none
   */
  readonly value?: string;
  /**
   * Taint effect to match.
   * @default - every effect
   */
  readonly effect?: TaintEffect;
  /**
   * With NoExecute: how long the pod stays bound after the taint appears.
   * @default - forever
   */
  readonly tolerationSeconds?: number;
}

/** Where the members may and should run. */
export interface MemberSchedulingOptions {
  /**
   * How members are spread over failure domains.
   * @default Spread.preferred() - preferably one member per node
   */
  readonly spread?: Spread;
  /**
   * PriorityClass of the pods.
   * @default - the cluster's default priority
   */
  readonly priorityClassName?: string;
  /**
   * Node labels the pods require.
   * @default - any node
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Taints the pods tolerate.
   * @default - none
   */
  readonly tolerations?: Toleration[];
}

/** The scheduling fields of the pod spec for these options. */
export function schedulingSpec(options: MemberSchedulingOptions, memberLabels: Record<string, string>): Partial<k8s.PodSpec> {
  const spec: { -readonly [K in keyof k8s.PodSpec]?: k8s.PodSpec[K] } = {};
  const spread = options.spread ?? Spread.preferred();
  if (!(spread instanceof Spread)) {
    throw new Error(`scheduling.spread must be Spread.preferred(), Spread.required() or Spread.none() (got ${JSON.stringify(spread)})`);
  }
  spec.affinity = spread._toAffinity(memberLabels);
  if (options.priorityClassName !== undefined) {
    spec.priorityClassName = requireDnsSubdomain('priorityClassName', options.priorityClassName);
  }
  if (options.nodeSelector !== undefined) {
    spec.nodeSelector = requireLabels('nodeSelector', options.nodeSelector);
  }
  if (options.tolerations !== undefined) {
    spec.tolerations = requireArray('tolerations', options.tolerations).map((t, index) => toleration(t, index));
  }
  return spec;
}

function toleration(t: Toleration, index: number): k8s.Toleration {
  const where = `tolerations[${index}]`;
  requirePlainObject(where, t);
  if (t.exists !== undefined) requireBoolean(`${where}.exists`, t.exists);
  if (t.key !== undefined && t.key !== '') requireQualifiedName(`${where}.key`, t.key);
  if (t.value !== undefined) requireLabelValue(`${where}.value`, t.value);
  if (t.effect !== undefined) requireEnum(`${where}.effect`, t.effect, TaintEffect);
  if (t.exists && t.value !== undefined) {
    throw new Error(`${where}: value must be unset when exists is true (got "${t.value}")`);
  }
  if (!t.exists && (t.key === undefined || t.key === '')) {
    throw new Error(`${where}: key is required unless exists is true (got ${JSON.stringify(t.key)})`);
  }
  if (t.tolerationSeconds !== undefined) {
    requireInteger(`${where}.tolerationSeconds`, t.tolerationSeconds, 0);
    if (t.effect !== TaintEffect.NO_EXECUTE) {
      throw new Error(`${where}: tolerationSeconds applies only to effect NoExecute (got effect ${t.effect ?? 'any'})`);
    }
  }
  return {
    key: t.key,
    operator: t.exists ? 'Exists' : 'Equal',
    value: t.exists ? undefined : (t.value ?? ''),
    effect: t.effect,
    tolerationSeconds: t.tolerationSeconds,
  };
}
