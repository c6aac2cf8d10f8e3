// PostgreSQL in the bench: the same `orders` from generate_series, pulled by
// snapbench against `psql -c "\\copy orders to /dev/null"`.
import { psqlExec, type ThrowawayServer } from '../../test/helpers/servers.ts';
import type { PairSpec } from '../harness/pull.ts';
import { compact } from '../harness/pull.ts';
import { EN_AREAS, quoteList, ZH_AREAS } from './orders.ts';

const PG_CHUNK_ROWS = 1_000_000;
export const POSTGRES_DB = 'bench';
export const POSTGRES_BIG_DB = 'benchbig';

function pgOrdersInsert(from: number, to: number, total: number): string {
  return `SET client_encoding = 'UTF8';
INSERT INTO orders
SELECT id,
  'LK' || to_char(create_time, 'YYYYMMDD') || lpad(id::text, 12, '0'),
  user_id, shop_id,
  CASE WHEN id % 53 = 0 THEN NULL
       WHEN shop_id % 9 = 0 THEN '瑞幸咖啡（' || (ARRAY[${quoteList(ZH_AREAS)}])[1 + shop_id % ${ZH_AREAS.length}] || '）' || shop_id || '号店'
       ELSE 'Lucky ' || (ARRAY[${quoteList(EN_AREAS)}])[1 + shop_id % ${EN_AREAS.length}] || ' #' || shop_id END,
  currency_code, country_code, total, discount, total - discount, coupon_id, pay_channel, status, create_time,
  CASE WHEN status IN (0, 4) THEN NULL ELSE create_time + (3 + id % 120) * interval '1 second' END
FROM (
  SELECT s AS id,
    1 + (s * 2654435761) % 250000 AS user_id,
    (1 + (s * 40507) % 1200)::int AS shop_id,
    CASE WHEN s % 101 = 0 THEN NULL WHEN s % 17 = 0 THEN 'CAD' WHEN s % 29 = 0 THEN 'CNY' WHEN s % 43 = 0 THEN 'EUR' ELSE 'USD' END AS currency_code,
    CASE WHEN s % 17 = 0 THEN 'CA' WHEN s % 29 = 0 THEN 'CN' WHEN s % 43 = 0 THEN 'DE' ELSE 'US' END AS country_code,
    round(2.5 + ((s * 7919) % 4500) / 100.0, 2) AS total,
    CASE WHEN s % 4 = 0 THEN round((2.5 + ((s * 7919) % 4500) / 100.0) * 0.2, 2) ELSE 0 END AS discount,
    CASE WHEN s % 4 = 0 THEN 500000 + (s * 31) % 20000 END AS coupon_id,
    (1 + (s * 13) % 4)::smallint AS pay_channel,
    (CASE WHEN s % 50 = 0 THEN 0 WHEN s % 50 IN (1, 2) THEN 4 ELSE 3 END)::smallint AS status,
    timestamp '2024-01-01 00:00:00' + (s * 31536000 / ${total}) * interval '1 second' AS create_time
  FROM generate_series(${from}::bigint, ${to}::bigint) AS s
) g;`;
}

export async function generatePostgres(server: ThrowawayServer, rows: number, DB = POSTGRES_DB): Promise<void> {
  await psqlExec(server, `CREATE DATABASE ${DB}`);
  await psqlExec(
    server,
    `CREATE TABLE orders (
      id bigint NOT NULL,
      order_no varchar(32) NOT NULL,
      user_id bigint NOT NULL,
      shop_id integer NOT NULL,
      shop_name varchar(64),
      currency_code char(3),
      country_code char(2) NOT NULL,
      total_amount numeric(12,2) NOT NULL,
      discount_amount numeric(12,2) NOT NULL DEFAULT 0.00,
      pay_amount numeric(12,2) NOT NULL,
      coupon_id bigint,
      pay_channel smallint NOT NULL,
      status smallint NOT NULL,
      create_time timestamp NOT NULL,
      pay_time timestamp
    );`,
    DB,
  );
  for (let from = 1; from <= rows; from += PG_CHUNK_ROWS) {
    const to = Math.min(rows, from + PG_CHUNK_ROWS - 1);
    await psqlExec(server, pgOrdersInsert(from, to, rows), DB);
  }
  // PK after the load (faster); VACUUM FREEZE sets hint bits so no reader pays for them.
  await psqlExec(server, 'ALTER TABLE orders ADD PRIMARY KEY (id);', DB);
  await psqlExec(server, 'VACUUM (FREEZE, ANALYZE) orders;', DB);
  const got = Number(await psqlExec(server, 'SELECT count(*) FROM orders;', DB));
  if (got !== rows) throw new Error(`PostgreSQL orders has ${got} rows, expected ${rows}`);
}

export async function profilePostgres(server: ThrowawayServer, DB = POSTGRES_DB): Promise<string> {
  const out = await psqlExec(
    server,
    `SET client_encoding = 'UTF8';
SELECT count(*), sum((shop_name IS NULL)::int), sum((shop_name LIKE '瑞幸%')::int), sum((currency_code IS NULL)::int), sum((currency_code <> 'USD')::int), sum((coupon_id IS NULL)::int), sum((pay_time IS NULL)::int),
  sum(pay_amount), min(create_time), max(create_time), (SELECT shop_name FROM orders WHERE id = 5) FROM orders;`,
    DB,
  );
  return out.split('|').join('\t');
}

/** snapbench pull of `instance` (database `DB`) against psql's \copy of the same table. */
export function postgresPair(server: ThrowawayServer, rows: number, DB = POSTGRES_DB, instance = 'bench-postgres', rowId?: string): PairSpec {
  return {
    id: 'postgres',
    rowId,
    what: `PostgreSQL ${compact(rows)} rows`,
    unit: 'rows',
    count: rows,
    instance,
    serverPid: server.pid,
    tool: 'psql \\copy',
    cmd: 'psql',
    args: ['-X', '-h', server.host, '-p', String(server.port), '-U', 'postgres', '-d', DB, '-c', '\\copy orders to /dev/null'],
  };
}
