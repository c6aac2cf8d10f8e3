// Loads the reference fleet's MySQL tables into one MySQL/MariaDB server, one
// database per instance, with multi-row INSERTs in transactions.
import mysql from 'mysql2/promise';
import { quoteMysqlIdentifier as q } from '../../../shared/model/sql.ts';
import type { SqlValue } from '../../../shared/model/snapshot.ts';
import { batches, type ReferenceTable } from '../reference/index.ts';
import { connectionError, type Endpoint } from './endpoint.ts';

export type MysqlSeedConnection = mysql.Connection;

/** Rows per INSERT statement: about 0.5 MB of SQL, far below max_allowed_packet. */
const INSERT_ROWS = 2000;
const COMMIT_EVERY_ROWS = 50_000;

export async function openMysql(endpoint: Endpoint): Promise<MysqlSeedConnection> {
  try {
    return await mysql.createConnection({
      host: endpoint.host,
      port: endpoint.port,
      user: endpoint.user ?? 'root',
      password: endpoint.password,
      charset: 'utf8mb4_unicode_ci',
      dateStrings: true,
      connectTimeout: 10_000,
    });
  } catch (error) {
    throw connectionError(endpoint, error, '--mysql-user', '--mysql-password-env');
  }
}

/** The fleet's databases that already hold tables, as "name (N tables)". */
export async function usedMysqlDatabases(connection: MysqlSeedConnection, databases: string[]): Promise<string[]> {
  const [rows] = await connection.query('SELECT TABLE_SCHEMA AS db, COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (?) GROUP BY TABLE_SCHEMA', [databases]);
  return (rows as { db: string; n: number }[]).filter((r) => Number(r.n) > 0).map((r) => `${r.db} (${r.n} tables)`);
}

/** --replace: drops only the databases the reference fleet owns. */
export async function dropMysqlDatabases(connection: MysqlSeedConnection, databases: string[]): Promise<void> {
  for (const db of databases) await connection.query(`DROP DATABASE IF EXISTS ${q(db)}`);
}

function createTableSql(table: ReferenceTable): string {
  const lines = table.columns.map((c) => `  ${q(c.name)} ${c.type}${c.nullable ? ' NULL' : ' NOT NULL'}`);
  lines.push(`  PRIMARY KEY (${table.primaryKey.map(q).join(', ')})`);
  for (const index of table.indexes ?? []) lines.push(`  ${index.unique ? 'UNIQUE KEY' : 'KEY'} ${q(index.name)} (${index.columns.map(q).join(', ')})`);
  const comment = table.comment ? ` COMMENT=${mysql.escape(table.comment)}` : '';
  return `CREATE TABLE ${q(table.database)}.${q(table.name)} (\n${lines.join(',\n')}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci${comment}`;
}

/** Creates each database and table and loads its rows; `observe` sees every batch written. */
export async function seedMysql(connection: MysqlSeedConnection, tables: ReferenceTable[], observe: (table: ReferenceTable, rows: SqlValue[][]) => void, onTable: (table: ReferenceTable, rows: number) => void): Promise<void> {
  for (const db of new Set(tables.map((t) => t.database))) {
    await connection.query(`CREATE DATABASE IF NOT EXISTS ${q(db)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  }
  for (const table of tables) {
    await connection.query(createTableSql(table));
    const insert = `INSERT INTO ${q(table.database)}.${q(table.name)} (${table.columns.map((c) => q(c.name)).join(', ')}) VALUES ?`;
    let rows = 0;
    let sinceCommit = 0;
    observe(table, []);
    await connection.query('START TRANSACTION');
    for (const batch of batches(table.rows(), INSERT_ROWS)) {
      observe(table, batch);
      await connection.query(insert, [batch]);
      rows += batch.length;
      sinceCommit += batch.length;
      if (sinceCommit >= COMMIT_EVERY_ROWS) {
        await connection.query('COMMIT');
        await connection.query('START TRANSACTION');
        sinceCommit = 0;
      }
    }
    await connection.query('COMMIT');
    onTable(table, rows);
  }
}
