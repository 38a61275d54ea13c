/**
 * Accounts the images and engines create or reserve: the sidecar sets the replication
 * account's password on every start, so naming one of these would take it over (root's
 * password replaced, the MariaDB image's health check locked out). `PUBLIC` is
 * MariaDB's role that every account holds.
 */
export const RESERVED_ACCOUNTS = ['root', 'mysql', 'healthcheck', 'public'];
