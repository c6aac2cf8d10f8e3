// What the generator planted, counted by applying the definitions of
// reference-fleet.md to exactly the rows and keys it emits (never tallied by
// hand), keyed by the rule of the built-in pack `report-07` that should find it.
import type { SqlValue } from '../../../shared/model/snapshot.ts';
import {
  centsToDecimal,
  decimalToCents,
  hasApiKey,
  isBlank,
  isHanText,
  isPersistentKey,
  isTestName,
  looksLikeEmail,
  looksLikePhone,
  PII_MIN_SHARE,
  PII_SAMPLE_SIZE,
} from './definitions.ts';
import type { InventoryInstance } from './inventory.ts';
import { columnInfo, redisTableKey, tableKey, type RedisKeySpec, type ReferenceRedis, type ReferenceTable } from './model.ts';

export interface RuleCount {
  count: number;
  total?: number;
  metrics?: Record<string, string | number>;
  /** What was counted, by name (tables, shops, columns). */
  detail?: string[];
  /** Where the count comes from when it is not the generated rows. */
  note?: string;
}

export interface PlantedCounts {
  generator: { seed: number; scale: number };
  /** Rows per table and keys per Redis database, by snapshot table name ("instance/database/table"). */
  tables: Record<string, number>;
  orders: {
    total: number;
    usd: number;
    nzd: number;
    nullCurrency: number;
    /** DQ-002: currency_code NULL or not 'USD'. */
    nullOrNonUsd: number;
    blankShopName: number;
    atTestShops: number;
    /** DQ-001 metric: exact sum of pay_amount where currency_code = 'USD'. */
    revenueUsd: string;
  };
  rules: Record<string, RuleCount>;
  /** Tables generated smaller than the report's volumes, and why. */
  capped: string[];
}

interface TextColumn {
  name: string;
  index: number;
  sampled: number;
  pii: number;
}

function versionBelow(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map((p) => Number.parseInt(p, 10));
  return a < major || (a === major && b < minor);
}

/** Feed it every batch of rows and every key written; result() applies the definitions' totals. */
export class PlantedCounter {
  private readonly rows = new Map<string, number>();
  private readonly observers = new Map<string, (rows: SqlValue[][]) => void>();
  private readonly textColumns = new Map<string, TextColumn[]>();
  private readonly secretColumns = new Set<string>();
  private secrets = 0;
  private ordersTotal = 0;
  private usd = 0;
  private nzd = 0;
  private nullCurrency = 0;
  private blankShop = 0;
  private revenueCents = 0n;
  private readonly ordersByShop = new Map<number, number>();
  private readonly testShops: { id: number; name: string }[] = [];
  private hanCommodities = 0;
  private commodityRows = 0;
  private persistentContact = 0;

  constructor(
    private readonly seed: number,
    private readonly scale: number,
    private readonly tables: ReferenceTable[],
    private readonly inventory: InventoryInstance[],
    private readonly capped: string[],
  ) {}

  private observerFor(table: ReferenceTable): (rows: SqlValue[][]) => void {
    const key = tableKey(table);
    const existing = this.observers.get(key);
    if (existing) return existing;
    const col = (name: string) => table.columns.findIndex((c) => c.name === name);
    const text: TextColumn[] = table.columns
      .map((c, index) => ({ c, index }))
      .filter(({ c }) => ['text', 'json'].includes(columnInfo(table, c).storage))
      .map(({ c, index }) => ({ name: c.name, index, sampled: 0, pii: 0 }));
    this.textColumns.set(key, text);
    let specific: ((row: SqlValue[]) => void) | null = null;
    if (table.name === 't_order') {
      const [currency, payAmount, shopName, shopId] = [col('currency_code'), col('pay_amount'), col('shop_name'), col('shop_id')];
      specific = (row) => {
        this.ordersTotal++;
        const code = row[currency];
        if (code === 'USD') {
          this.usd++;
          this.revenueCents += BigInt(decimalToCents(row[payAmount] as string));
        } else if (code === null) this.nullCurrency++;
        else if (code === 'NZD') this.nzd++;
        if (isBlank(row[shopName])) this.blankShop++;
        const shop = row[shopId] as number;
        this.ordersByShop.set(shop, (this.ordersByShop.get(shop) ?? 0) + 1);
      };
    } else if (table.name === 't_shop_info') {
      const [id, name] = [col('id'), col('shop_name')];
      specific = (row) => {
        if (isTestName(row[name])) this.testShops.push({ id: row[id] as number, name: row[name] as string });
      };
    } else if (table.name === 't_commodity') {
      const name = col('commodity_name');
      specific = (row) => {
        this.commodityRows++;
        if (isHanText(row[name])) this.hanCommodities++;
      };
    }
    const observer = (rows: SqlValue[][]) => {
      this.rows.set(key, (this.rows.get(key) ?? 0) + rows.length);
      for (const row of rows) {
        specific?.(row);
        for (const t of text) {
          const value = row[t.index];
          if (value === null || value === undefined) continue;
          if (hasApiKey(value)) {
            this.secrets++;
            this.secretColumns.add(`${key}.${t.name}`);
          }
          // SEC-001 looks at a sample: the first values of the column.
          if (t.sampled < PII_SAMPLE_SIZE) {
            t.sampled++;
            if (looksLikeEmail(value) || looksLikePhone(value)) t.pii++;
          }
        }
      }
    };
    this.observers.set(key, observer);
    return observer;
  }

  /** Counts a batch of rows of `table` (call for every batch written, empty tables included). */
  observeRows(table: ReferenceTable, rows: SqlValue[][]): void {
    this.observerFor(table)(rows);
  }

  observeKeys(space: ReferenceRedis, keys: RedisKeySpec[]): void {
    const key = redisTableKey(space);
    this.rows.set(key, (this.rows.get(key) ?? 0) + keys.length);
    for (const k of keys) {
      if (isPersistentKey(k.ttlMs) && /^CONTACT_(day|week|month):/.test(k.name)) this.persistentContact++;
    }
  }

  result(): PlantedCounts {
    const tableRows = (name: string) => this.tables.filter((t) => t.name === name).reduce((n, t) => n + (this.rows.get(tableKey(t)) ?? 0), 0);
    const inDatabase = (database: string) => this.tables.filter((t) => t.database === database);
    const emptyIn = (database: string) => inDatabase(database).filter((t) => (this.rows.get(tableKey(t)) ?? 0) === 0);
    const atTestShops = this.testShops.reduce((n, s) => n + (this.ordersByShop.get(s.id) ?? 0), 0);
    const piiColumns: string[] = [];
    for (const [key, columns] of this.textColumns) {
      for (const c of columns) if (c.sampled > 0 && c.pii / c.sampled > PII_MIN_SHARE) piiColumns.push(`${key}.${c.name}`);
    }
    const redis = this.inventory.filter((i) => i.engine === 'redis');
    const withAllocation = redis.filter((i) => i.allocatedMemoryMb !== undefined);
    const below1 = withAllocation.filter((i) => (i.utilisation ?? 0) < 0.01);
    const old = redis.filter((i) => versionBelow(i.version, 7, 2));
    const order = this.tables.find((t) => t.name === 't_order');
    const revenue = centsToDecimal(this.revenueCents);
    const taxEmpty = emptyIn('luckyus_fi_tax');
    const memberEmpty = emptyIn('luckyus_member_marketing');
    const demoNote = 'synthetic server facts of the demo snapshot; a seeded fleet reports its real servers';
    const nullOrNonUsd = this.ordersTotal - this.usd;
    const tables: Record<string, number> = {};
    for (const [key, rows] of [...this.rows].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) tables[key] = rows;
    return {
      generator: { seed: this.seed, scale: this.scale },
      tables,
      orders: {
        total: this.ordersTotal,
        usd: this.usd,
        nzd: this.nzd,
        nullCurrency: this.nullCurrency,
        nullOrNonUsd,
        blankShopName: this.blankShop,
        atTestShops,
        revenueUsd: revenue,
      },
      rules: {
        'DQ-001': { count: taxEmpty.length, total: inDatabase('luckyus_fi_tax').length, metrics: { revenue }, detail: taxEmpty.map((t) => t.name) },
        'DQ-002': { count: nullOrNonUsd, total: this.ordersTotal, metrics: { nzd: this.nzd, nullCurrency: this.nullCurrency } },
        'DQ-003': { count: memberEmpty.length, total: inDatabase('luckyus_member_marketing').length, detail: memberEmpty.map((t) => t.name) },
        'DQ-004': { count: this.hanCommodities, total: this.commodityRows },
        'DQ-005': { count: this.testShops.length, total: tableRows('t_shop_info'), metrics: { orders: atTestShops }, detail: this.testShops.map((s) => s.name) },
        'DQ-006': { count: order && !order.columns.some((c) => c.name.includes('address')) ? 1 : 0 },
        'DQ-007': { count: this.blankShop, total: this.ordersTotal },
        'RDS-001': { count: this.persistentContact },
        'RDS-002': { count: below1.length, total: withAllocation.length, note: demoNote },
        'RDS-003': { count: old.length, total: redis.length, note: demoNote },
        'SEC-001': { count: piiColumns.length, detail: piiColumns },
        'SEC-002': { count: this.secrets, detail: [...this.secretColumns].sort() },
      },
      capped: this.capped,
    };
  }
}
