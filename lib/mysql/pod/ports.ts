/** Port of the database server. */
export const MYSQL_PORT = 3306;
/** Port on which each member's sidecar serves backups to the next member. */
export const BACKUP_PORT = 3307;
