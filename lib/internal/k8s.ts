/**
 * The Kubernetes 1.28 L1 objects (generated from the API's OpenAPI schema) that
 * cdk8s-plus-28 ships. They are imported from this single place so that a change of
 * their location touches one line.
 */
export * from 'cdk8s-plus-28/lib/imports/k8s';
