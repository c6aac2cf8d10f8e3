// Every SQL table of reference-fleet.md: its definition (shared by the demo
// snapshot and the seeded servers) and its rows.
import type { SqlValue } from '../../../shared/model/snapshot.ts';
import { centsToDecimal } from './definitions.ts';
import {
  AREA_CODES,
  CHINESE_NICKNAMES,
  commodities,
  couponTemplates,
  EMAIL_DOMAINS,
  FIRST_NAMES,
  LAST_NAMES,
  PAY_CHANNELS,
  STORES,
} from './catalog.ts';
import { referenceTable as table, type ReferenceTable, type TableDef } from './model.ts';
import { generateOrders, skewedId, type OrderVolumes } from './orders.ts';
import { cumulative, Random } from './random.ts';
import { DAY, DAYS, formatDateTime, LAUNCH, NOW, parseDate, weekday } from './time.ts';
import { difyTables, ilkmapTables, type DifyVolumes } from './dify.ts';
import { appendedOrders, openedStores, plantedGrowth, type PlantedGrowth } from './growth.ts';

export interface SqlVolumes extends OrderVolumes {
  expiredCoupons: number;
  stockPerDay: number;
  dify: DifyVolumes;
}

const DT = 'DATETIME';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** All MySQL tables, then the PostgreSQL ones; `growth` appends the series' weeks (orders, stores). */
export function sqlTables(seed: number, v: SqlVolumes, growth: PlantedGrowth = plantedGrowth(0, 0)): ReferenceTable[] {
  const menu = commodities();
  const templates = couponTemplates();
  const stores = [...STORES, ...openedStores(growth)];
  const newOrders = growth.weeks * growth.ordersPerWeek;
  const orders = function* () {
    yield* generateOrders(seed, v, STORES, menu);
    yield* appendedOrders(seed, growth, v.orders + 1, v.users, stores, menu);
  };
  // Estimates for the tables whose size follows from the orders' random draws.
  const itemsPerOrder = 1.3;
  const paidShare = 0.975;

  const salesOrder = 'aws-luckyus-salesorder-rw';
  const payment = 'aws-luckyus-salespayment-rw';
  const marketing = 'aws-luckyus-salesmarketing-rw';
  const member = 'aws-luckyus-isalesmembermarketing-rw';
  const shop = 'aws-luckyus-opshop-rw';
  const commodity = 'aws-luckyus-scmcommodity-rw';
  const stock = 'aws-luckyus-scm-shopstock-rw';
  const tax = 'aws-luckyus-fitax-rw';
  const igers = 'aws-luckyus-igers-rw';

  const couponColumns = [
    { name: 'id', type: 'BIGINT' },
    { name: 'coupon_code', type: 'VARCHAR(32)' },
    { name: 'user_id', type: 'BIGINT' },
    { name: 'template_id', type: 'INT' },
    { name: 'status', type: 'TINYINT' },
    { name: 'expire_time', type: DT },
    { name: 'create_time', type: DT },
  ];
  const couponIndexes = (t: string) => [
    { name: `uk_${t}_code`, columns: ['coupon_code'], unique: true },
    { name: `idx_${t}_user_id`, columns: ['user_id'] },
  ];

  const empty = (instance: string, database: string, name: string, columns: TableDef['columns'], comment: string): ReferenceTable =>
    table({ instance, engine: 'mysql', database, name, columns, primaryKey: ['id'], avgRowBytes: 0, comment }, 0, () => []);

  return [
    table(
      {
        instance: salesOrder,
        engine: 'mysql',
        database: 'luckyus_sales_order',
        name: 't_order',
        columns: [
          { name: 'id', type: 'BIGINT' },
          { name: 'order_no', type: 'VARCHAR(32)' },
          { name: 'user_id', type: 'BIGINT' },
          { name: 'shop_id', type: 'INT' },
          { name: 'shop_name', type: 'VARCHAR(64)', nullable: true },
          { name: 'currency_code', type: 'CHAR(3)', nullable: true },
          { name: 'country_code', type: 'CHAR(2)' },
          { name: 'total_amount', type: 'DECIMAL(12,2)' },
          { name: 'discount_amount', type: 'DECIMAL(12,2)' },
          { name: 'pay_amount', type: 'DECIMAL(12,2)' },
          { name: 'coupon_id', type: 'BIGINT', nullable: true },
          { name: 'pay_channel', type: 'TINYINT' },
          { name: 'status', type: 'TINYINT' },
          { name: 'create_time', type: DT },
          { name: 'pay_time', type: DT, nullable: true },
        ],
        primaryKey: ['id'],
        indexes: [
          { name: 'uk_order_no', columns: ['order_no'], unique: true },
          { name: 'idx_user_id', columns: ['user_id'] },
          { name: 'idx_shop_create', columns: ['shop_id', 'create_time'] },
        ],
        avgRowBytes: 190,
        comment: 'orders',
      },
      v.orders + newOrders,
      function* () {
        for (const o of orders()) {
          yield [
            o.id, o.orderNo, o.userId, o.shopId, o.shopName, o.currency, o.country, centsToDecimal(o.totalCents), centsToDecimal(o.discountCents),
            centsToDecimal(o.payCents), o.couponId, o.payChannel, o.status, formatDateTime(o.createTime), o.payTime === null ? null : formatDateTime(o.payTime),
          ];
        }
      },
    ),
    table(
      {
        instance: salesOrder,
        engine: 'mysql',
        database: 'luckyus_sales_order',
        name: 't_order_item',
        columns: [
          { name: 'id', type: 'BIGINT' },
          { name: 'order_id', type: 'BIGINT' },
          { name: 'commodity_id', type: 'INT' },
          { name: 'commodity_name', type: 'VARCHAR(128)' },
          { name: 'quantity', type: 'INT' },
          { name: 'unit_price', type: 'DECIMAL(10,2)' },
          { name: 'amount', type: 'DECIMAL(12,2)' },
        ],
        primaryKey: ['id'],
        indexes: [{ name: 'idx_order_id', columns: ['order_id'] }],
        avgRowBytes: 120,
        comment: 'order lines',
      },
      Math.round((v.orders + newOrders) * itemsPerOrder),
      function* () {
        let id = 0;
        for (const o of orders()) {
          for (const item of o.items) {
            yield [++id, o.id, item.commodityId, item.name, item.quantity, centsToDecimal(item.unitCents), centsToDecimal(item.unitCents * item.quantity)];
          }
        }
      },
      true,
    ),
    table(
      {
        instance: payment,
        engine: 'mysql',
        database: 'luckyus_sales_payment',
        name: 't_pay_channel',
        columns: [
          { name: 'id', type: 'INT' },
          { name: 'code', type: 'VARCHAR(32)' },
          { name: 'name', type: 'VARCHAR(64)' },
        ],
        primaryKey: ['id'],
        indexes: [{ name: 'uk_code', columns: ['code'], unique: true }],
        avgRowBytes: 60,
      },
      PAY_CHANNELS.length,
      () => PAY_CHANNELS.map((c) => [c.id, c.code, c.name]),
    ),
    table(
      {
        instance: payment,
        engine: 'mysql',
        database: 'luckyus_sales_payment',
        name: 't_payment',
        columns: [
          { name: 'id', type: 'BIGINT' },
          { name: 'order_id', type: 'BIGINT' },
          { name: 'pay_channel', type: 'TINYINT' },
          { name: 'amount', type: 'DECIMAL(12,2)' },
          { name: 'currency_code', type: 'CHAR(3)', nullable: true },
          { name: 'status', type: 'TINYINT' },
          { name: 'create_time', type: DT },
        ],
        primaryKey: ['id'],
        indexes: [{ name: 'idx_order_id', columns: ['order_id'] }],
        avgRowBytes: 80,
        comment: 'one payment per paid order; status 1 succeeded, 3 refunded',
      },
      Math.round((v.orders + newOrders) * paidShare),
      function* () {
        let id = 0;
        for (const o of orders()) {
          if (o.payTime === null) continue;
          yield [++id, o.id, o.payChannel, centsToDecimal(o.payCents), o.currency, o.status === 5 ? 3 : 1, formatDateTime(o.payTime)];
        }
      },
      true,
    ),
    table(
      {
        instance: marketing,
        engine: 'mysql',
        database: 'luckyus_sales_marketing',
        name: 't_coupon_template',
        columns: [
          { name: 'id', type: 'INT' },
          { name: 'name', type: 'VARCHAR(128)' },
          { name: 'face_value', type: 'DECIMAL(10,2)' },
          { name: 'is_active', type: 'TINYINT' },
        ],
        primaryKey: ['id'],
        avgRowBytes: 90,
      },
      templates.length,
      () => templates.map((t) => [t.id, t.name, centsToDecimal(t.faceValueCents), t.active]),
    ),
    table(
      { instance: marketing, engine: 'mysql', database: 'luckyus_sales_marketing', name: 't_coupon', columns: couponColumns, primaryKey: ['id'], indexes: couponIndexes('coupon'), avgRowBytes: 95, comment: 'active coupons' },
      v.coupons,
      () => coupons(seed, 't_coupon', v.coupons, v.users, templates, false),
    ),
    table(
      {
        instance: marketing,
        engine: 'mysql',
        database: 'luckyus_sales_marketing',
        name: 't_coupon_expired',
        columns: couponColumns,
        primaryKey: ['id'],
        indexes: couponIndexes('coupon_expired'),
        avgRowBytes: 95,
        comment: 'expired coupons (capped: the report counts 37.3M)',
      },
      v.expiredCoupons,
      () => coupons(seed, 't_coupon_expired', v.expiredCoupons, v.users, templates, true),
    ),
    empty(member, 'luckyus_member_marketing', 't_member', [
      { name: 'id', type: 'BIGINT' },
      { name: 'user_id', type: 'BIGINT' },
      { name: 'level_id', type: 'INT' },
      { name: 'points', type: 'INT' },
      { name: 'status', type: 'TINYINT' },
      { name: 'join_time', type: DT },
    ], 'members (program not launched)'),
    empty(member, 'luckyus_member_marketing', 't_member_level', [
      { name: 'id', type: 'INT' },
      { name: 'level_name', type: 'VARCHAR(32)' },
      { name: 'min_points', type: 'INT' },
      { name: 'discount_rate', type: 'DECIMAL(4,2)' },
    ], 'member levels'),
    empty(member, 'luckyus_member_marketing', 't_member_points_log', [
      { name: 'id', type: 'BIGINT' },
      { name: 'member_id', type: 'BIGINT' },
      { name: 'change_points', type: 'INT' },
      { name: 'reason', type: 'VARCHAR(64)' },
      { name: 'create_time', type: DT },
    ], 'points ledger'),
    empty(member, 'luckyus_member_marketing', 't_member_benefit', [
      { name: 'id', type: 'INT' },
      { name: 'level_id', type: 'INT' },
      { name: 'benefit_name', type: 'VARCHAR(64)' },
      { name: 'benefit_type', type: 'TINYINT' },
    ], 'benefits per level'),
    table(
      {
        instance: shop,
        engine: 'mysql',
        database: 'luckyus_op_shop',
        name: 't_shop_info',
        columns: [
          { name: 'id', type: 'INT' },
          { name: 'shop_no', type: 'VARCHAR(16)' },
          { name: 'shop_name', type: 'VARCHAR(64)' },
          { name: 'city', type: 'VARCHAR(32)' },
          { name: 'state', type: 'CHAR(2)', nullable: true },
          { name: 'country_code', type: 'CHAR(2)' },
          { name: 'latitude', type: 'DECIMAL(9,6)' },
          { name: 'longitude', type: 'DECIMAL(9,6)' },
          { name: 'timezone', type: 'VARCHAR(32)' },
          { name: 'status', type: 'TINYINT' },
          { name: 'open_date', type: 'DATE' },
        ],
        primaryKey: ['id'],
        indexes: [{ name: 'uk_shop_no', columns: ['shop_no'], unique: true }],
        avgRowBytes: 150,
      },
      stores.length,
      () => stores.map((s) => [s.id, s.shopNo, s.name, s.city, s.state, s.countryCode, s.latitude, s.longitude, s.timezone, 1, s.openDate]),
    ),
    table(
      {
        instance: commodity,
        engine: 'mysql',
        database: 'luckyus_scm_commodity',
        name: 't_commodity',
        columns: [
          { name: 'id', type: 'INT' },
          { name: 'commodity_code', type: 'VARCHAR(32)' },
          { name: 'commodity_name', type: 'VARCHAR(128)' },
          { name: 'commodity_name_en', type: 'VARCHAR(128)', nullable: true },
          { name: 'category', type: 'VARCHAR(32)' },
          { name: 'price', type: 'DECIMAL(10,2)' },
          { name: 'status', type: 'TINYINT' },
        ],
        primaryKey: ['id'],
        indexes: [{ name: 'uk_commodity_code', columns: ['commodity_code'], unique: true }],
        avgRowBytes: 130,
      },
      menu.length,
      () => menu.map((c) => [c.id, c.code, c.name, c.nameEn, c.category, centsToDecimal(c.priceCents), c.status]),
    ),
    ...WEEKDAYS.map((day, index) =>
      table(
        {
          instance: stock,
          engine: 'mysql',
          database: 'luckyus_scm_shopstock',
          name: `t_stock_change_record_${day}`,
          columns: [
            { name: 'id', type: 'BIGINT' },
            { name: 'shop_id', type: 'INT' },
            { name: 'goods_id', type: 'INT' },
            { name: 'change_qty', type: 'INT' },
            { name: 'change_type', type: 'TINYINT' },
            { name: 'create_time', type: DT },
          ],
          primaryKey: ['id'],
          indexes: [{ name: 'idx_shop_goods', columns: ['shop_id', 'goods_id'] }],
          avgRowBytes: 64,
          comment: `stock changes made on a ${day} (capped: the report counts 9.1M over the 7 tables)`,
        },
        v.stockPerDay,
        () => stockChanges(seed, index, v.stockPerDay, menu.map((c) => c.id)),
      ),
    ),
    empty(tax, 'luckyus_fi_tax', 't_tax_rate', [
      { name: 'id', type: 'INT' },
      { name: 'jurisdiction', type: 'VARCHAR(64)' },
      { name: 'tax_type', type: 'VARCHAR(32)' },
      { name: 'rate', type: 'DECIMAL(6,4)' },
      { name: 'effective_date', type: 'DATE' },
    ], 'tax rates by jurisdiction'),
    empty(tax, 'luckyus_fi_tax', 't_tax_record', [
      { name: 'id', type: 'BIGINT' },
      { name: 'order_id', type: 'BIGINT' },
      { name: 'shop_id', type: 'INT' },
      { name: 'jurisdiction', type: 'VARCHAR(64)' },
      { name: 'taxable_amount', type: 'DECIMAL(12,2)' },
      { name: 'tax_amount', type: 'DECIMAL(12,2)' },
      { name: 'create_time', type: DT },
    ], 'tax per order'),
    empty(tax, 'luckyus_fi_tax', 't_tax_remittance', [
      { name: 'id', type: 'BIGINT' },
      { name: 'jurisdiction', type: 'VARCHAR(64)' },
      { name: 'period', type: 'CHAR(7)' },
      { name: 'amount', type: 'DECIMAL(12,2)' },
      { name: 'status', type: 'TINYINT' },
      { name: 'remit_time', type: DT, nullable: true },
    ], 'remittances to tax authorities'),
    table(
      {
        instance: igers,
        engine: 'mysql',
        database: 'luckyus_igers',
        name: 't_user',
        columns: [
          { name: 'id', type: 'BIGINT' },
          { name: 'mobile', type: 'VARCHAR(20)' },
          { name: 'email', type: 'VARCHAR(128)', nullable: true },
          { name: 'nickname', type: 'VARCHAR(64)', nullable: true },
          { name: 'register_time', type: DT },
          { name: 'country_code', type: 'CHAR(2)' },
        ],
        primaryKey: ['id'],
        indexes: [{ name: 'idx_mobile', columns: ['mobile'] }],
        avgRowBytes: 120,
        comment: 'registered users',
      },
      v.users,
      () => users(seed, v.users),
    ),
    ...difyTables(seed, v.dify),
    ...ilkmapTables(STORES),
  ];
}

const TEMPLATE_STATUS = cumulative([70, 25, 5]);

function* coupons(seed: number, name: string, count: number, userCount: number, templates: ReturnType<typeof couponTemplates>, expired: boolean): Generator<SqlValue[]> {
  const rng = new Random(seed, name);
  const weights = cumulative(templates.map((t) => t.weight));
  // Active coupons were issued in the last 120 days; expired ones over the whole period.
  const first = expired ? LAUNCH : LAST_ISSUE_START;
  const last = expired ? NOW - 30 * DAY : NOW;
  for (let id = 1; id <= count; id++) {
    const created = first + Math.floor(((id - 1 + rng.next()) / count) * (last - first));
    const validDays = expired ? rng.pick([7, 14, 30]) : rng.pick([30, 60, 90, 180]);
    const code = `LK${id.toString(36).toUpperCase().padStart(7, '0')}${rng.alnum(7).toUpperCase()}`;
    const status = expired ? 3 : rng.weighted(TEMPLATE_STATUS);
    yield [id, code, skewedId(rng, userCount), templates[rng.weighted(weights)]!.id, status, formatDateTime(created + validDays * DAY), formatDateTime(created)];
  }
}
const LAST_ISSUE_START = NOW - 120 * DAY;

const CHANGE_TYPES = cumulative([15, 70, 8, 5, 2]);

function* stockChanges(seed: number, weekdayIndex: number, count: number, goods: number[]): Generator<SqlValue[]> {
  const rng = new Random(seed, `stock/${weekdayIndex}`);
  const shops = STORES.filter((s) => !s.test || s.name === 'NJ Test Kitchen');
  let firstDay = LAUNCH;
  while (weekday(firstDay) !== weekdayIndex) firstDay += DAY;
  const weeks = Math.floor((DAYS - 1 - (firstDay - LAUNCH) / DAY) / 7) + 1;
  // The stores open on each of those days (the test kitchen opened before launch).
  const openByWeek = Array.from({ length: weeks }, (_, w) => shops.filter((s) => parseDate(s.openDate) <= firstDay + w * 7 * DAY));
  for (let id = 1; id <= count; id++) {
    const week = Math.min(weeks - 1, Math.floor(((id - 1) * weeks) / count));
    const day = firstDay + week * 7 * DAY;
    const shop = rng.pick(openByWeek[week]!);
    const type = 1 + rng.weighted(CHANGE_TYPES);
    const qty = type === 1 ? rng.int(20, 500) : type === 2 ? -rng.int(1, 40) : type === 3 ? -rng.int(1, 10) : type === 4 ? rng.int(-20, 20) || 1 : -rng.int(5, 50);
    yield [id, shop.id, rng.pick(goods), qty, type, formatDateTime(day + rng.int(6 * 3600, 22 * 3600))];
  }
}

const DOMAINS = cumulative(EMAIL_DOMAINS.map(([, w]) => w));
const REGISTRATION_START = Date.UTC(2025, 5, 1) / 1000;

function* users(seed: number, count: number): Generator<SqlValue[]> {
  const rng = new Random(seed, 't_user');
  const span = NOW - REGISTRATION_START;
  for (let id = 1; id <= count; id++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const mobile = `+1${rng.pick(AREA_CODES)}${rng.int(200, 999)}${String(rng.int(0, 9999)).padStart(4, '0')}`;
    let email: string | null = null;
    if (rng.chance(0.92)) {
      const local = rng.chance(0.6) ? `${first}.${last.replace("'", '')}` : `${first[0]}${last.replace("'", '')}`;
      email = `${local}${rng.chance(0.7) ? rng.int(1, 999) : ''}@${EMAIL_DOMAINS[rng.weighted(DOMAINS)]![0]}`;
    }
    const n = rng.next();
    const nickname = n < 0.7 ? first[0]!.toUpperCase() + first.slice(1) : n < 0.8 ? rng.pick(CHINESE_NICKNAMES) : null;
    // Registrations grow over time: the density rises linearly, so time ~ sqrt(rank).
    const registered = REGISTRATION_START + Math.floor(Math.sqrt((id - 1 + rng.next()) / count) * span);
    const c = rng.next();
    yield [id, mobile, email, nickname, formatDateTime(registered), c < 0.98 ? 'US' : c < 0.995 ? 'CK' : 'CN'];
  }
}

