// The StatefulSet from the Kubernetes "StatefulSet Basics" tutorial, on a local
// development cluster: nginx pods web-0 and web-1, each with its own claim
// (www-web-0, www-web-1) mounted at /usr/share/nginx/html, published as
// web-0.nginx and web-1.nginx by the headless Service "nginx", and stored in hostPath
// directories on the node (/var/local/web/www-web-0, …) through pre-bound volumes of
// the "manual" StorageClass.
//
//   npx ts-node examples/web.ts && kubectl apply -f dist/web.k8s.yaml
//   kubectl exec web-0 -- sh -c 'echo web-0 > /usr/share/nginx/html/index.html'
//
// hostPath directories live on one node. On a multi-node cluster pin the volumes
// with `node: '<node name>'` so every pod (and its data) stays there.
import { App, Chart, ChartProps, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ClaimTemplate, HeadlessService, HostPathPersistentVolumes, PerPodClaims } from '../lib';

/** nginx as a non-root user, so the pods need no root and no writable image. */
const NGINX_IMAGE = 'nginxinc/nginx-unprivileged:1.27-alpine';
const NGINX_UID = 101;
const NGINX_PORT = 8080;

/** A web server StatefulSet with one claim per pod, on hostPath volumes. */
export class WebChart extends Chart {
  /** The governing headless Service, `nginx`. */
  public readonly service: HeadlessService;
  /** The StatefulSet, `web`. */
  public readonly statefulSet: kplus.StatefulSet;
  /** The per-pod claims `www-web-<ordinal>`. */
  public readonly claims: PerPodClaims;
  /** The claim template `www`, mounted into the nginx container. */
  public readonly www: ClaimTemplate;
  /** One hostPath directory per pod, pre-bound to its claim. */
  public readonly volumes: HostPathPersistentVolumes;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'default', ...props });
    const namespace = this.namespace ?? 'default';

    this.service = new HeadlessService(this, 'nginx', {
      ports: [{ name: 'web', port: 80, targetPort: NGINX_PORT }],
    });

    this.statefulSet = new kplus.StatefulSet(this, 'web', {
      metadata: { name: 'web' },
      service: this.service,
      replicas: 2,
      securityContext: { ensureNonRoot: true, user: NGINX_UID, group: NGINX_UID },
      containers: [{
        name: 'nginx',
        image: NGINX_IMAGE,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        ports: [{ name: 'web', number: NGINX_PORT }],
        readiness: kplus.Probe.fromTcpSocket({ port: NGINX_PORT }),
        securityContext: {
          ensureNonRoot: true,
          user: NGINX_UID,
          group: NGINX_UID,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
        },
        resources: {
          cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
          memory: { request: Size.mebibytes(32), limit: Size.mebibytes(128) },
        },
      }],
    });
    this.statefulSet.podMetadata.addLabel('app.kubernetes.io/name', 'nginx');
    const nginx = this.statefulSet.containers[0];
    // nginx-unprivileged keeps its pid file and caches in /tmp.
    nginx.mount('/tmp', kplus.Volume.fromEmptyDir(this, 'tmp', 'tmp'));

    this.claims = new PerPodClaims({
      statefulSet: this.statefulSet,
      namespace,
      replicas: this.statefulSet.replicas ?? 1,
      templateName: 'www',
      size: Size.gibibytes(1),
      storageClassName: HostPathPersistentVolumes.DEFAULT_STORAGE_CLASS_NAME,
    });
    this.www = ClaimTemplate.add(this.statefulSet, this.claims);
    this.www.mount(nginx.name, '/usr/share/nginx/html');

    this.volumes = new HostPathPersistentVolumes(this, 'www', {
      claims: this.claims,
      basePath: '/var/local/web',
    });
  }

  /** Short DNS names of the pods, `web-0.nginx`, `web-1.nginx`. */
  public get hosts(): string[] {
    return this.claims.claimNames.map((_, ordinal) => this.service.shortHostFor(this.statefulSet, ordinal));
  }
}

export function buildApp(app: App = new App()): App {
  new WebChart(app, 'web');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
