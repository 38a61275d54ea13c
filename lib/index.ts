// Generic StatefulSet building blocks: know nothing of MySQL.
export * from './statefulset/claim-templates';
export * from './statefulset/headless-service';
export * from './statefulset/per-pod-claims';
export * from './statefulset/statefulset-hosts';
export { INamedResource } from './statefulset/workloads';
// Storage for any StatefulSet.
export * from './storage/host-path-persistent-volumes';
export * from './storage/nfs-persistent-volumes';
export * from './storage/nfs-subdir-provisioner';
export { ReclaimPolicy } from './storage/per-ordinal-volumes';
// Where every image comes from.
export { ImageSourceOptions } from './internal/image-source';
// The replicated MySQL cluster.
export { ClientAccount, ClientEnvSecretKeyRef, ClientEnvSource, ClientEnvVar, ConnectOptions, MySqlEndpoints } from './mysql/client-binding';
export { DatabaseOptions, DatabaseOwner, DatabasePrivilege } from './mysql/accounts/application-databases';
export * from './mysql/backup/backup-destination';
export * from './mysql/credentials';
export * from './mysql/engine/engine';
export { ReplicationMode } from './mysql/engine/replication-sql';
export { ClientSelector, NetworkAccessOptions } from './mysql/network-access';
export * from './mysql/replica-topology';
export * from './mysql/replicated-mysql-chart';
export { MemberSchedulingOptions, Spread, SpreadOptions, TaintEffect, Toleration } from './mysql/scheduling';
export { StatefulMySQL } from './mysql/stateful-mysql';
export * from './mysql/stateful-mysql-props';
