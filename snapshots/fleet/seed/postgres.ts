// Loads the reference fleet's PostgreSQL tables: CREATE DATABASE per database
// (dify, ilkmap), then COPY FROM STDIN per table, indexes after the load.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { quotePostgresIdentifier as q } from '../../../shared/model/sql.ts';
import type { SqlValue } from '../../../shared/model/snapshot.ts';
import { batches, type ReferenceTable } from '../reference/index.ts';
import { connectionError, type Endpoint } from './endpoint.ts';

async function connect(endpoint: Endpoint, database: string): Promise<pg.Client> {
  const client = new pg.Client({ host: endpoint.host, port: endpoint.port, user: endpoint.user ?? 'postgres', password: endpoint.password, database, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw connectionError(endpoint, error, '--postgres-user', '--postgres-password-env');
  }
}

export interface PostgresTargets {
  existing: string[];
  /** Existing databases that hold tables, as "name (N tables)". */
  used: string[];
}

/** Which of the fleet's databases exist, and which of those already hold tables. */
export async function postgresTargets(endpoint: Endpoint, databases: string[]): Promise<PostgresTargets> {
  const admin = await connect(endpoint, 'postgres');
  try {
    const existing = (await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1::text[]) ORDER BY datname', [databases])).rows.map((r) => r.datname);
    const used: string[] = [];
    for (const database of existing) {
      const client = await connect(endpoint, database);
      try {
        const { rows } = await client.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'`,
        );
        if (Number(rows[0]!.n) > 0) used.push(`${database} (${rows[0]!.n} tables)`);
      } finally {
        await client.end();
      }
    }
    return { existing, used };
  } finally {
    await admin.end();
  }
}

/** Creates the databases that do not exist; with `replace`, drops and recreates the existing ones (only the fleet's). */
export async function createPostgresDatabases(endpoint: Endpoint, databases: string[], targets: PostgresTargets, replace: boolean): Promise<void> {
  const admin = await connect(endpoint, 'postgres');
  try {
    for (const database of databases) {
      const exists = targets.existing.includes(database);
      if (exists && !replace) continue;
      // WITH (FORCE) ends other sessions (PostgreSQL 13+); older servers need them closed first.
      if (exists) await admin.query(`DROP DATABASE ${q(database)} WITH (FORCE)`).catch(() => admin.query(`DROP DATABASE ${q(database)}`));
      await admin.query(`CREATE DATABASE ${q(database)} ENCODING 'UTF8' TEMPLATE template0`);
    }
  } finally {
    await admin.end();
  }
}

/** COPY text format: \N for NULL, backslash escapes, t/f for booleans. */
function copyLine(row: SqlValue[], booleans: boolean[]): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    if (i > 0) line += '\t';
    const v = row[i];
    if (v === null || v === undefined) line += '\\N';
    else if (booleans[i]) line += v ? 't' : 'f';
    else if (typeof v === 'string') line += /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : v;
    else line += String(v);
  }
  return line + '\n';
}

export async function seedPostgres(endpoint: Endpoint, tables: ReferenceTable[], observe: (table: ReferenceTable, rows: SqlValue[][]) => void, onTable: (table: ReferenceTable, rows: number) => void): Promise<void> {
  for (const database of new Set(tables.map((t) => t.database))) {
    const client = await connect(endpoint, database);
    try {
      for (const table of tables.filter((t) => t.database === database)) {
        const name = `${q(table.schema ?? 'public')}.${q(table.name)}`;
        const columns = table.columns.map((c) => `  ${q(c.name)} ${c.type}${c.nullable ? '' : ' NOT NULL'}`);
        columns.push(`  PRIMARY KEY (${table.primaryKey.map(q).join(', ')})`);
        await client.query(`CREATE TABLE ${name} (\n${columns.join(',\n')}\n)`);
        const booleans = table.columns.map((c) => c.type === 'boolean');
        let rows = 0;
        observe(table, []);
        const lines = Readable.from(
          (function* () {
            for (const batch of batches(table.rows())) {
              observe(table, batch);
              rows += batch.length;
              yield batch.map((row) => copyLine(row, booleans)).join('');
            }
          })(),
        );
        await pipeline(lines, client.query(copyFrom(`COPY ${name} (${table.columns.map((c) => q(c.name)).join(', ')}) FROM STDIN`)));
        for (const index of table.indexes ?? []) {
          await client.query(`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${q(index.name)} ON ${name} (${index.columns.map(q).join(', ')})`);
        }
        await client.query(`ANALYZE ${name}`);
        onTable(table, rows);
      }
    } finally {
      await client.end();
    }
  }
}
