// MySQL in the bench: `orders` generated in MariaDB from its sequence engine,
// pulled by snapbench against `mariadb-dump --quick --single-transaction`.
import { mariadbExec, type ThrowawayServer } from '../../test/helpers/servers.ts';
import type { PairSpec } from '../harness/pull.ts';
import { compact } from '../harness/pull.ts';
import { EN_AREAS, quoteList, ZH_AREAS } from './orders.ts';

const MARIADB_CHUNK_ROWS = 500_000; // one INSERT ... SELECT per chunk keeps each statement well under the helper's 60 s
export const MYSQL_DB = 'bench';
export const MYSQL_BIG_DB = 'benchbig';

function mariadbOrdersDdl(db: string): string {
  return `SET NAMES utf8mb4;
CREATE DATABASE IF NOT EXISTS \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
CREATE TABLE \`${db}\`.orders (
  id BIGINT NOT NULL,
  order_no VARCHAR(32) NOT NULL,
  user_id BIGINT NOT NULL,
  shop_id INT NOT NULL,
  shop_name VARCHAR(64) NULL,
  currency_code CHAR(3) NULL,
  country_code CHAR(2) NOT NULL,
  total_amount DECIMAL(12,2) NOT NULL,
  discount_amount DECIMAL(12,2) NOT NULL DEFAULT 0.00,
  pay_amount DECIMAL(12,2) NOT NULL,
  coupon_id BIGINT NULL,
  pay_channel TINYINT NOT NULL,
  status TINYINT NOT NULL,
  create_time DATETIME NOT NULL,
  pay_time DATETIME NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB;`;
}

/** Rows from..to of `orders`, computed server-side from the sequence engine. Same values as the PostgreSQL version. */
function mariadbOrdersInsert(db: string, from: number, to: number, total: number): string {
  return `SET NAMES utf8mb4;
SET SESSION unique_checks = 0, foreign_key_checks = 0;
INSERT INTO \`${db}\`.orders
SELECT id,
  CONCAT('LK', DATE_FORMAT(create_time, '%Y%m%d'), LPAD(id, 12, '0')),
  user_id, shop_id,
  CASE WHEN id % 53 = 0 THEN NULL
       WHEN shop_id % 9 = 0 THEN CONCAT('瑞幸咖啡（', ELT(1 + shop_id % ${ZH_AREAS.length}, ${quoteList(ZH_AREAS)}), '）', shop_id, '号店')
       ELSE CONCAT('Lucky ', ELT(1 + shop_id % ${EN_AREAS.length}, ${quoteList(EN_AREAS)}), ' #', shop_id) END,
  currency_code, country_code, total, discount, total - discount, coupon_id, pay_channel, status, create_time,
  CASE WHEN status IN (0, 4) THEN NULL ELSE create_time + INTERVAL (3 + id % 120) SECOND END
FROM (
  SELECT seq AS id,
    1 + (seq * 2654435761) % 250000 AS user_id,
    1 + (seq * 40507) % 1200 AS shop_id,
    CASE WHEN seq % 101 = 0 THEN NULL WHEN seq % 17 = 0 THEN 'CAD' WHEN seq % 29 = 0 THEN 'CNY' WHEN seq % 43 = 0 THEN 'EUR' ELSE 'USD' END AS currency_code,
    CASE WHEN seq % 17 = 0 THEN 'CA' WHEN seq % 29 = 0 THEN 'CN' WHEN seq % 43 = 0 THEN 'DE' ELSE 'US' END AS country_code,
    ROUND(2.5 + ((seq * 7919) % 4500) / 100.0, 2) AS total,
    CASE WHEN seq % 4 = 0 THEN ROUND((2.5 + ((seq * 7919) % 4500) / 100.0) * 0.2, 2) ELSE 0 END AS discount,
    CASE WHEN seq % 4 = 0 THEN 500000 + (seq * 31) % 20000 END AS coupon_id,
    1 + (seq * 13) % 4 AS pay_channel,
    CASE WHEN seq % 50 = 0 THEN 0 WHEN seq % 50 IN (1, 2) THEN 4 ELSE 3 END AS status,
    TIMESTAMP'2024-01-01 00:00:00' + INTERVAL (seq * 31536000 DIV ${total}) SECOND AS create_time
  FROM seq_${from}_to_${to}
) g;`;
}

export async function generateMariadb(server: ThrowawayServer, db: string, rows: number): Promise<void> {
  await mariadbExec(server, mariadbOrdersDdl(db));
  for (let from = 1; from <= rows; from += MARIADB_CHUNK_ROWS) {
    const to = Math.min(rows, from + MARIADB_CHUNK_ROWS - 1);
    await mariadbExec(server, mariadbOrdersInsert(db, from, to, rows), db);
  }
  await mariadbExec(server, `ANALYZE TABLE \`${db}\`.orders;`);
  const got = Number(await mariadbExec(server, `SELECT COUNT(*) FROM \`${db}\`.orders;`));
  if (got !== rows) throw new Error(`MariaDB ${db}.orders has ${got} rows, expected ${rows}`);
}

export async function profileMariadb(server: ThrowawayServer, db: string): Promise<string> {
  return mariadbExec(
    server,
    `SET NAMES utf8mb4;
SELECT COUNT(*), SUM(shop_name IS NULL), SUM(shop_name LIKE '瑞幸%'), SUM(currency_code IS NULL), SUM(currency_code <> 'USD'), SUM(coupon_id IS NULL), SUM(pay_time IS NULL),
  SUM(pay_amount), MIN(create_time), MAX(create_time), (SELECT shop_name FROM orders WHERE id = 5) FROM orders;`,
    db,
  );
}

/** snapbench pull of `instance` (database `db`) against mariadb-dump of the same table. */
export function mysqlPair(server: ThrowawayServer, rows: number, db = MYSQL_DB, instance = 'bench-mariadb', rowId?: string): PairSpec {
  return {
    id: 'mysql',
    rowId,
    what: `MySQL ${compact(rows)} rows`,
    unit: 'rows',
    count: rows,
    instance,
    serverPid: server.pid,
    tool: 'mariadb-dump',
    cmd: 'mariadb-dump',
    args: ['--no-defaults', '--quick', '--single-transaction', '-h', server.host, '-P', String(server.port), '-u', 'root', db, 'orders'],
  };
}
