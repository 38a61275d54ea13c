import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { serviceDomain } from '../../internal/cluster-dns';
import { optionalPlainObject, requireBoolean, requireDnsSubdomain, requireDuration, requireEnum } from '../../internal/validate';
import { ReplicaTopology } from '../replica-topology';
import { CertificateIssuerKind, TlsOptions } from '../stateful-mysql-props';

/** Where the members mount the certificate Secret (server and sidecar, read-only). */
export const TLS_DIR = '/opt/mysql-cluster/tls';
/** The CA file replication verifies the primary against. */
export const TLS_CA_FILE = `${TLS_DIR}/ca.crt`;

/** {@link TlsOptions}, checked, with the defaults filled in. */
export interface ResolvedTls {
  readonly secretName: string;
  readonly requireSecureTransport: boolean;
  readonly certificate?: {
    readonly issuerName: string;
    readonly issuerKind: CertificateIssuerKind;
    readonly duration: string;
    readonly renewBefore: string;
  };
}

/** Whole hours of a Duration, as cert-manager's Go durations write them (`2160h`). */
function hours(what: string, value: Duration): number {
  requireDuration(what, value);
  const h = value.toMilliseconds() / 3_600_000;
  if (!Number.isInteger(h) || h < 1) throw new Error(`${what} must be a whole number of hours, at least 1 (got ${value.toHumanString()})`);
  return h;
}

/** Checks the TLS options; undefined when TLS is off. */
export function resolveTls(options: TlsOptions | undefined, clusterName: string): ResolvedTls | undefined {
  if (optionalPlainObject('tls', options) === undefined) return undefined;
  const tls = options!;
  const requireSecureTransport = requireBoolean('tls.requireSecureTransport', tls.requireSecureTransport ?? false);
  const certificate = optionalPlainObject('tls.certificate', tls.certificate);
  if (!certificate) {
    if (tls.secretName === undefined) {
      throw new Error('tls.secretName must name the Secret with tls.crt, tls.key and ca.crt, or tls.certificate must ask cert-manager for one (got neither)');
    }
    return { secretName: requireDnsSubdomain('tls.secretName', tls.secretName), requireSecureTransport };
  }
  const c = tls.certificate!;
  const duration = hours('tls.certificate.duration', c.duration ?? Duration.days(90));
  const renewBefore = hours('tls.certificate.renewBefore', c.renewBefore ?? Duration.days(30));
  if (renewBefore >= duration) {
    throw new Error(`tls.certificate.renewBefore must be shorter than the duration of ${duration}h, or cert-manager renews the certificate forever (got ${renewBefore}h)`);
  }
  return {
    secretName: requireDnsSubdomain('tls.secretName', tls.secretName ?? `${clusterName}-tls`),
    requireSecureTransport,
    certificate: {
      issuerName: requireDnsSubdomain('tls.certificate.issuerName', c.issuerName),
      issuerKind: requireEnum('tls.certificate.issuerKind', c.issuerKind ?? CertificateIssuerKind.ISSUER, CertificateIssuerKind),
      duration: `${duration}h`,
      renewBefore: `${renewBefore}h`,
    },
  };
}

/** The server settings TLS needs (common.cnf). */
export function tlsServerSettings(tls: ResolvedTls): Record<string, string> {
  return {
    ssl_cert: `${TLS_DIR}/tls.crt`,
    ssl_key: `${TLS_DIR}/tls.key`,
    ssl_ca: TLS_CA_FILE,
    ...tls.requireSecureTransport ? { require_secure_transport: 'ON' } : {},
  };
}

/**
 * The names the certificate must hold: every member's stable name (replication checks the
 * primary's) and the Services' (clients) in every form a pod resolves: fully qualified,
 * `<service>.<namespace>.svc`, `<service>.<namespace>` and `<service>`.
 */
export function certificateDnsNames(topology: ReplicaTopology, serviceNames: readonly string[]): string[] {
  const ns = topology.namespace;
  return [
    `*.${topology.memberDomain}`,
    ...serviceNames.flatMap(service => [serviceDomain(service, ns, topology.clusterDomain), `${service}.${ns}.svc`, `${service}.${ns}`, service]),
  ];
}

/** Adds the cert-manager Certificate `<name>` that writes the TLS Secret. */
export function addCertificate(scope: Construct, id: string, tls: ResolvedTls, metadata: { name: string; namespace: string; labels: Record<string, string> }, dnsNames: string[]): ApiObject {
  const certificate = tls.certificate!;
  return new ApiObject(scope, id, {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: metadata.name, namespace: metadata.namespace, labels: { ...metadata.labels } },
    spec: {
      secretName: tls.secretName,
      issuerRef: { name: certificate.issuerName, kind: certificate.issuerKind, group: 'cert-manager.io' },
      dnsNames,
      duration: certificate.duration,
      renewBefore: certificate.renewBefore,
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      // No key encipherment: an ECDSA key signs only (RFC 8813).
      usages: ['server auth', 'digital signature'],
    },
  });
}
