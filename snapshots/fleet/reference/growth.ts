// Planted growth for the demo series (`snapbench demo --series N`): week k of
// the series is the report's fleet plus k weeks of new orders, new stores and
// new marketing counters without a TTL, appended after the report's rows so
// every earlier row stays as it was. The rates are fixed per week, so a
// least-squares fit over the series recovers them exactly.
import { PAY_CHANNELS, type Commodity, type Store } from './catalog.ts';
import type { RedisKeySpec } from './model.ts';
import type { Order } from './orders.ts';
import { cumulative, Random } from './random.ts';
import { DAY, formatDate, LAST_DAY } from './time.ts';

export interface PlantedGrowth {
  /** Weeks after the report's last day of data (0 = the report's state). */
  weeks: number;
  /** New rows of t_order each week. */
  ordersPerWeek: number;
  /** New users each week; each gets the three CONTACT_* counters without a TTL. */
  usersPerWeek: number;
  /** New (not test) stores each week, rows of t_shop_info. */
  storesPerWeek: number;
}

/** Windows of the contact-frequency counters every new user gets. */
export const CONTACT_WINDOWS = ['CONTACT_day', 'CONTACT_week', 'CONTACT_month'] as const;

/**
 * The rates at a scale: 2,750 orders a day (report 3.1) and 277K registered
 * users in 177 days of data (≈ 1,565 a day, report 3.7), scaled like the rows;
 * one store opens a week.
 */
export function plantedGrowth(scale: number, weeks: number): PlantedGrowth {
  return {
    weeks,
    ordersPerWeek: Math.max(1, Math.round(2_750 * 7 * scale)),
    usersPerWeek: Math.max(1, Math.round(1_565 * 7 * scale)),
    storesPerWeek: 1,
  };
}

export function noTtlKeysPerWeek(growth: PlantedGrowth): number {
  return growth.usersPerWeek * CONTACT_WINDOWS.length;
}

const NEW_STORE_SITES: [name: string, city: string, latitude: string, longitude: string][] = [
  ['Steinway St (Astoria)', 'Queens', '40.761204', '-73.917512'],
  ['Flatbush Ave (Prospect Heights)', 'Brooklyn', '40.680412', '-73.974201'],
  ['Main St (Flushing)', 'Queens', '40.759101', '-73.830023'],
  ['E 14th St & 1st Ave', 'New York', '40.731203', '-73.982412'],
  ['Hudson St (Hoboken)', 'Hoboken', '40.743991', '-74.029012'],
  ['Broadway & W 96th St', 'New York', '40.793912', '-73.972301'],
  ['Atlantic Terminal', 'Brooklyn', '40.684602', '-73.977712'],
  ['Jackson Heights (74th St)', 'Queens', '40.746823', '-73.891301'],
];

/** Stores opened during the series, one per week after the report's last day. */
export function openedStores(growth: PlantedGrowth): Store[] {
  const out: Store[] = [];
  const count = growth.weeks * growth.storesPerWeek;
  for (let i = 0; i < count; i++) {
    const [site, city, latitude, longitude] = NEW_STORE_SITES[i % NEW_STORE_SITES.length]!;
    const round = Math.floor(i / NEW_STORE_SITES.length);
    const number = 17 + i;
    out.push({
      id: 1016 + i + 1,
      shopNo: `US${String(number).padStart(4, '0')}`,
      name: round === 0 ? site : `${site} ${round + 1}`,
      city,
      state: city === 'Hoboken' ? 'NJ' : 'NY',
      countryCode: 'US',
      latitude,
      longitude,
      timezone: 'America/New_York',
      openDate: formatDate(LAST_DAY + (Math.floor(i / growth.storesPerWeek) * 7 + 1) * DAY),
      weight: 5,
      test: false,
    });
  }
  return out;
}

/**
 * The orders of the series' weeks, numbered after the report's `firstId - 1`
 * orders: USD orders at the stores open that week, spread over its days.
 */
export function* appendedOrders(seed: number, growth: PlantedGrowth, firstId: number, users: number, stores: Store[], menu: Commodity[]): Generator<Order> {
  const sellable = menu.filter((c) => c.sellable);
  const popularity = cumulative(sellable.map((c) => c.popularity));
  const channels = cumulative(PAY_CHANNELS.map((c) => c.share));
  let id = firstId - 1;
  for (let week = 1; week <= growth.weeks; week++) {
    const rng = new Random(seed, `orders/week-${week}`);
    const weekStart = LAST_DAY + ((week - 1) * 7 + 1) * DAY;
    const open = stores.filter((s) => !s.test && Date.parse(`${s.openDate}T00:00:00Z`) / 1000 <= weekStart + 6 * DAY);
    const seqByDay = new Map<number, number>();
    for (let i = 0; i < growth.ordersPerWeek; i++) {
      const dayIndex = Math.floor((i * 7) / growth.ordersPerWeek);
      const day = weekStart + dayIndex * DAY;
      const seq = (seqByDay.get(dayIndex) ?? 0) + 1;
      seqByDay.set(dayIndex, seq);
      const shop = open[rng.int(0, open.length - 1)]!;
      const items = [];
      let total = 0;
      for (let k = 0, n = rng.chance(0.8) ? 1 : 2; k < n; k++) {
        const c = sellable[rng.weighted(popularity)]!;
        items.push({ commodityId: c.id, name: c.name, quantity: 1, unitCents: c.priceCents });
        total += c.priceCents;
      }
      const createTime = day + (7 + rng.int(0, 13)) * 3600 + rng.int(0, 3599);
      const couponId = rng.chance(0.6) ? rng.int(1, 1000) : null;
      const discount = couponId === null ? 0 : Math.min(total, 200);
      id++;
      yield {
        id,
        orderNo: `LKUS${formatDate(day).replaceAll('-', '')}${String(seq).padStart(6, '0')}`,
        userId: rng.int(1, Math.max(1, users)),
        shopId: shop.id,
        shopName: shop.name,
        currency: 'USD',
        country: 'US',
        totalCents: total,
        discountCents: discount,
        payCents: total - discount,
        couponId,
        payChannel: PAY_CHANNELS[rng.weighted(channels)]!.id,
        status: 3,
        createTime,
        payTime: createTime + rng.int(3, 120),
        items,
      };
    }
  }
}

/** The marketing counters of the users who registered during the series: no TTL, like the rest (RDS-001). */
export function* appendedContactKeys(seed: number, growth: PlantedGrowth, users: number): Generator<RedisKeySpec> {
  const rng = new Random(seed, 'redis/market-growth');
  const newUsers = growth.weeks * growth.usersPerWeek;
  for (let user = users + 1; user <= users + newUsers; user++) {
    for (const window of CONTACT_WINDOWS) yield { name: `${window}:${user}`, type: 'string', ttlMs: -1, value: String(rng.int(1, 7)) };
  }
}
