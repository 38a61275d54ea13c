// The classic replicated-MySQL cluster: one primary and two read replicas, each on its
// own static NFS export directory. `cdk8s synth` (see cdk8s.yaml) writes it to dist/.
//
// Before `kubectl apply -f dist/`, create the credentials Secret the cluster reads:
//   kubectl create secret generic mysql-credentials \
//     --from-literal=root-password="$(openssl rand -base64 24)" \
//     --from-literal=replication-password="$(openssl rand -base64 24)"
import { App, Size } from 'cdk8s';
import { ReplicatedMySqlChart } from '../lib';

export function buildApp(app: App = new App()): App {
  new ReplicatedMySqlChart(app, 'mysql', {
    cluster: {
      replicas: 3,
      storage: { size: Size.gibibytes(10) },
    },
    nfs: {
      server: 'nfs.example.internal',
      basePath: '/exports/mysql',
    },
  });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
