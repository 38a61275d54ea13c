import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from '../internal/k8s';
import { requireArray, requireLabels, requirePlainObject } from '../internal/validate';

/**
 * Pods allowed to connect to the database port. Both selectors given: pods with these
 * labels in namespaces with those labels.
 */
export interface ClientSelector {
  /**
   * Labels of the client pods.
   * @default - every pod (of the selected namespaces)
   */
  readonly podLabels?: Record<string, string>;
  /**
   * Labels of the namespaces the clients run in.
   * @default - the cluster's own namespace only
   */
  readonly namespaceLabels?: Record<string, string>;
}

/** Network access to the members. */
export interface NetworkAccessOptions {
  /**
   * Create the NetworkPolicy. Without a NetworkPolicy-enforcing network plugin it has
   * no effect.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Who may connect to the database port besides the members themselves. More can be
   * added with `StatefulMySQL.allowClients()`.
   * @default - every pod in the cluster's namespace
   */
  readonly clients?: ClientSelector[];
}

/** Props of {@link MemberNetworkPolicy}. */
export interface MemberNetworkPolicyProps {
  readonly name: string;
  readonly namespace: string;
  readonly memberLabels: Record<string, string>;
  readonly databasePort: number;
  readonly backupPort: number;
  /** Labels of the cluster's backup pods, admitted to the backup port. */
  readonly backupPods?: Record<string, string>;
  readonly clients: ClientSelector[];
  /** The metrics port and the pods allowed to scrape it. */
  readonly metrics?: { readonly port: number; readonly scrapers: readonly ClientSelector[] };
}

/**
 * Ingress rules for the members: the backup port only from other members, the
 * database port from the members and the allowed clients, the metrics port from the
 * scrapers. Clients can be added until
 * synthesis.
 */
export class MemberNetworkPolicy extends Construct {
  private readonly clients: ClientSelector[];

  constructor(scope: Construct, id: string, props: MemberNetworkPolicyProps) {
    super(scope, id);
    this.clients = requireArray('networkAccess.clients', props.clients).map((c, i) => validated(c, i));
    const scrapers = props.metrics?.scrapers.map((c, i) => validated(c, i, 'metrics.scrapers')) ?? [];
    const members: k8s.NetworkPolicyPeer = { podSelector: { matchLabels: { ...props.memberLabels } } };
    const port = (n: number): k8s.NetworkPolicyPort => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(n) });
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.memberLabels } },
      spec: {
        podSelector: { matchLabels: { ...props.memberLabels } },
        policyTypes: ['Ingress'],
        ingress: Lazy.any({
          produce: () => [
            { from: [members], ports: [port(props.databasePort), port(props.backupPort)] },
            ...(props.backupPods ? [{ from: [{ podSelector: { matchLabels: { ...props.backupPods } } }], ports: [port(props.backupPort)] }] : []),
            ...(this.clients.length > 0 ? [{ from: this.clients.map(peer), ports: [port(props.databasePort)] }] : []),
            ...(props.metrics ? [{ from: scrapers.map(peer), ports: [port(props.metrics.port)] }] : []),
          ],
        }),
      },
    });
  }

  /** Lets more pods connect to the database port. */
  public allow(client: ClientSelector): void {
    this.clients.push(validated(client, this.clients.length));
  }
}

function validated(client: ClientSelector, index: number, list = 'networkAccess.clients'): ClientSelector {
  const what = `${list}[${index}]`;
  requirePlainObject(what, client);
  return {
    podLabels: client.podLabels === undefined ? undefined : requireLabels(`${what}.podLabels`, client.podLabels),
    namespaceLabels: client.namespaceLabels === undefined ? undefined : requireLabels(`${what}.namespaceLabels`, client.namespaceLabels),
  };
}

/** A label selector as the API server keeps it: `{}` (everything) without labels, so re-applying it changes nothing. */
function selector(labels: Record<string, string> | undefined): k8s.LabelSelector {
  return labels && Object.keys(labels).length > 0 ? { matchLabels: { ...labels } } : {};
}

function peer(client: ClientSelector): k8s.NetworkPolicyPeer {
  return {
    podSelector: selector(client.podLabels),
    namespaceSelector: client.namespaceLabels ? selector(client.namespaceLabels) : undefined,
  };
}
