import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import { randomBytes } from 'node:crypto';

const MYSQL_CONNECTION_STRING =
  'BACKSTAGE_TEST_DATABASE_MYSQL8_CONNECTION_STRING';

/**
 * The databases the store is tested on, like `TestDatabases` (which serves every id but
 * `MYSQL_8`): MySQL or MariaDB when `BACKSTAGE_TEST_DATABASE_MYSQL8_CONNECTION_STRING` names
 * one, such as `mysql://root@127.0.0.1:3306/test`. `TestDatabases` refuses a connection string
 * without a password, which a local server's root often has; this reads one with or without.
 */
export function createTestDatabases(ids: TestDatabaseId[]) {
  const databases = TestDatabases.create({
    ids: ids.filter(id => id !== 'MYSQL_8'),
  });
  const url = process.env[MYSQL_CONNECTION_STRING];
  const mysql =
    ids.includes('MYSQL_8') && url ? mysqlConnection(url) : undefined;
  const created: { knex: Knex; name: string }[] = [];

  if (mysql) {
    afterAll(async () => {
      const admin = knexFactory({ client: 'mysql2', connection: mysql });
      try {
        for (const { knex, name } of created) {
          await knex.destroy().catch(() => {});
          await admin.raw('drop database if exists ??', [name]);
        }
      } finally {
        await admin.destroy();
      }
    });
  }

  return {
    /** The ids whose database this environment has, for `describe.each`. */
    eachSupportedId(): [TestDatabaseId][] {
      return [
        ...databases.eachSupportedId(),
        ...(mysql ? [['MYSQL_8'] as [TestDatabaseId]] : []),
      ];
    },

    /** A new, empty database of this kind. */
    async init(id: TestDatabaseId): Promise<Knex> {
      if (id !== 'MYSQL_8' || !mysql) {
        return databases.init(id);
      }
      const name = `scorecards_test_${randomBytes(8).toString('hex')}`;
      const admin = knexFactory({ client: 'mysql2', connection: mysql });
      try {
        await admin.raw('create database ??', [name]);
      } finally {
        await admin.destroy();
      }
      const knex = knexFactory({
        client: 'mysql2',
        connection: { ...mysql, database: name },
        pool: { min: 0, max: 5 },
      });
      created.push({ knex, name });
      return knex;
    },
  };
}

function mysqlConnection(
  connectionString: string,
): Knex.MySql2ConnectionConfig {
  const { protocol, username, password, hostname, port } = new URL(
    connectionString,
  );
  if (protocol !== 'mysql:') {
    throw new Error(
      `${MYSQL_CONNECTION_STRING} must be a mysql:// URL, not ${protocol}`,
    );
  }
  return {
    host: hostname,
    port: Number(port || 3306),
    user: decodeURIComponent(username),
    password: decodeURIComponent(password),
  };
}
