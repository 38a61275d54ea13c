import { optionalPlainObject, requireDnsLabel, requireDnsSubdomain } from '../../internal/validate';
import { RestoreOptions } from '../stateful-mysql-props';

/** Throws unless `options` are restore options; returns them checked. */
export function checkedRestoreOptions(options: RestoreOptions | undefined): RestoreOptions | undefined {
  if (options === undefined) {
    return undefined;
  }
  optionalPlainObject('restore', options);
  requireDnsSubdomain('restore.claimName', options.claimName);
  if (options.cluster !== undefined) {
    requireDnsLabel('restore.cluster', options.cluster);
  }
  if (options.file !== undefined && (typeof options.file !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*\.tar(\.zst|\.gz)?$/.test(options.file))) {
    throw new Error(`restore.file must be the name of a backup file on the claim, such as "mysql-20261201T030000Z.tar.zst" (got ${JSON.stringify(options.file)})`);
  }
  return { ...options };
}
