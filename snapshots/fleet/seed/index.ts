// `snapbench fleet seed`: loads the reference fleet into real servers and
// returns the fleet manifest that pulls it. Every target is checked before
// anything is written, so a refused target leaves all servers untouched.
import type { Redis } from 'ioredis';
import type { SqlValue } from '../../../shared/model/snapshot.ts';
import { fleetManifestText, type SeededConnection } from '../manifest.ts';
import { batches, referenceFleet, REDIS_WITH_DATA, type PlantedCounts, type ReferenceFleet, type ReferenceTable } from '../reference/index.ts';
import { SeedError, type Endpoint } from './endpoint.ts';
import { dropMysqlDatabases, openMysql, seedMysql, usedMysqlDatabases, type MysqlSeedConnection } from './mysql.ts';
import { createPostgresDatabases, postgresTargets, seedPostgres, type PostgresTargets } from './postgres.ts';
import { openRedis, redisKeyCount, seedRedis } from './redis.ts';

export { parseHostPort, SeedError, type Endpoint } from './endpoint.ts';

export interface SeedOptions {
  seed?: number;
  scale?: number;
  mysql?: Endpoint;
  postgres?: Endpoint;
  /** Assigned in order to REDIS_WITH_DATA. */
  redis?: Endpoint[];
  /** Drop and recreate the fleet's own databases (Redis: empty database 0) when they are not empty. */
  replace: boolean;
  onProgress?: (line: string) => void;
}

export interface SeedResult {
  fleet: ReferenceFleet;
  counts: PlantedCounts;
  /** The fleet manifest (YAML) that pulls what was seeded. */
  manifestText: string;
  connections: Map<string, SeededConnection>;
  seconds: number;
}

const NOT_EMPTY_HINT = 'pass --replace to drop and recreate the reference fleet\u2019s own databases (Redis: empty database 0), or give empty servers';

export async function seedReferenceFleet(options: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const fleet = referenceFleet({ seed: options.seed, scale: options.scale });
  const progress = options.onProgress ?? (() => {});
  const redisEndpoints = options.redis ?? [];
  if (!options.mysql && !options.postgres && redisEndpoints.length === 0) {
    throw new SeedError('nothing to seed: no server given', 'give at least one of --mysql HOST:PORT, --postgres HOST:PORT, --redis HOST:PORT[,HOST:PORT...]');
  }
  if (redisEndpoints.length > REDIS_WITH_DATA.length) {
    throw new SeedError(`--redis: ${redisEndpoints.length} servers given, but only ${REDIS_WITH_DATA.length} Redis instances have data (${REDIS_WITH_DATA.join(', ')})`, `give at most ${REDIS_WITH_DATA.length}`);
  }
  const distinct = new Set(redisEndpoints.map((e) => `${e.host}:${e.port}`));
  if (distinct.size < redisEndpoints.length) {
    throw new SeedError('--redis: a server is given twice', 'each Redis instance needs its own server (allocated memory and INFO are per server)');
  }
  const mysqlTables = fleet.tables.filter((t) => t.engine === 'mysql');
  const pgTables = fleet.tables.filter((t) => t.engine === 'postgres');
  const mysqlDatabases = [...new Set(mysqlTables.map((t) => t.database))];
  const pgDatabases = [...new Set(pgTables.map((t) => t.database))];
  const redisAssigned = redisEndpoints.map((endpoint, i) => ({ endpoint, space: fleet.redis.find((r) => r.instance === REDIS_WITH_DATA[i])! }));
  const counter = fleet.counter();
  const observe = (table: ReferenceTable, rows: SqlValue[][]) => counter.observeRows(table, rows);
  const onTable = (table: ReferenceTable, rows: number) =>
    progress(`${table.instance}: ${table.database}.${table.schema ? `${table.schema}.` : ''}${table.name}: ${rows.toLocaleString('en-US')} rows`);

  let mysqlConnection: MysqlSeedConnection | null = null;
  const redisClients: Redis[] = [];
  try {
    // 1. Connect to every target and check it before writing anything.
    const notEmpty: string[] = [];
    if (options.mysql) {
      mysqlConnection = await openMysql(options.mysql);
      const used = await usedMysqlDatabases(mysqlConnection, mysqlDatabases);
      if (used.length > 0) notEmpty.push(`${options.mysql.flag} ${options.mysql.host}:${options.mysql.port}: database ${used.join(', ')}`);
    }
    let pgTargets: PostgresTargets | null = null;
    if (options.postgres) {
      pgTargets = await postgresTargets(options.postgres, pgDatabases);
      if (pgTargets.used.length > 0) notEmpty.push(`${options.postgres.flag} ${options.postgres.host}:${options.postgres.port}: database ${pgTargets.used.join(', ')}`);
    }
    for (const { endpoint, space } of redisAssigned) {
      const client = await openRedis(endpoint);
      redisClients.push(client);
      const keys = await redisKeyCount(client, space.db);
      if (keys > 0) notEmpty.push(`${endpoint.flag} ${endpoint.host}:${endpoint.port} (for ${space.instance}): ${keys} keys in database ${space.db}`);
    }
    if (notEmpty.length > 0 && !options.replace) throw new SeedError(`not empty: ${notEmpty.join('; ')}`, NOT_EMPTY_HINT);

    // 2. Write: MySQL, PostgreSQL, then Redis last (its order cache expires ~96 s after it is written).
    if (mysqlConnection) {
      if (options.replace) await dropMysqlDatabases(mysqlConnection, mysqlDatabases);
      await seedMysql(mysqlConnection, mysqlTables, observe, onTable);
    } else drainTables(mysqlTables, observe);
    if (options.postgres && pgTargets) {
      await createPostgresDatabases(options.postgres, pgDatabases, pgTargets, options.replace);
      await seedPostgres(options.postgres, pgTables, observe, onTable);
    } else drainTables(pgTables, observe);
    for (const [i, { space }] of redisAssigned.entries()) {
      const keys = await seedRedis(redisClients[i]!, space, options.replace, (s, k) => counter.observeKeys(s, k));
      progress(`${space.instance}: ${keys.toLocaleString('en-US')} keys`);
    }
    // Key spaces without a server still count in the planted counts.
    for (const space of fleet.redis.slice(redisAssigned.length)) {
      counter.observeKeys(space, []);
      for (const batch of batches(space.keys())) counter.observeKeys(space, batch);
    }
  } finally {
    await mysqlConnection?.end().catch(() => {});
    for (const client of redisClients) client.disconnect();
  }

  const connections = new Map<string, SeededConnection>();
  const connection = (e: Endpoint): SeededConnection => ({ host: e.host, port: e.port, user: e.user, passwordEnv: e.passwordEnv });
  for (const instance of fleet.inventory) {
    if (!instance.databases) continue;
    if (instance.engine === 'mysql' && options.mysql) connections.set(instance.name, connection(options.mysql));
    if (instance.engine === 'postgres' && options.postgres) connections.set(instance.name, connection(options.postgres));
  }
  for (const { endpoint, space } of redisAssigned) connections.set(space.instance, connection(endpoint));
  const name = `reference-fleet (seeded: seed ${fleet.seed}, scale ${fleet.scale})`;
  return { fleet, counts: counter.result(), manifestText: fleetManifestText(fleet, connections, name), connections, seconds: (Date.now() - started) / 1000 };
}

/** Tables of an engine that was not seeded still count in the planted counts. */
function drainTables(tables: ReferenceTable[], observe: (table: ReferenceTable, rows: SqlValue[][]) => void): void {
  for (const table of tables) {
    observe(table, []);
    for (const batch of batches(table.rows())) observe(table, batch);
  }
}
