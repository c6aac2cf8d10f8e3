// The order stream: t_order, t_order_item, t_payment and the order cache in
// Redis all replay it, so they agree with each other without holding 487K
// orders in memory. Orders are generated day by day in time order.
import type { Commodity, Store } from './catalog.ts';
import { PAY_CHANNELS } from './catalog.ts';
import { cumulative, ExactCategories, Random } from './random.ts';
import { DAY, DAYS, LAUNCH, parseDate, weekday } from './time.ts';

export interface OrderVolumes {
  orders: number;
  users: number;
  coupons: number;
  /** Cook Islands test orders in NZD (country CK). */
  nzd: number;
  /** Orders whose currency_code is NULL. */
  nullCurrency: number;
  /** Orders whose shop_name is blank: NULL, '', spaces, U+3000. */
  blankShopName: number;
}

export interface OrderItem {
  commodityId: number;
  name: string;
  quantity: number;
  unitCents: number;
}

export interface Order {
  id: number;
  orderNo: string;
  userId: number;
  shopId: number;
  shopName: string | null;
  currency: string | null;
  country: string;
  totalCents: number;
  discountCents: number;
  payCents: number;
  couponId: number | null;
  payChannel: number;
  status: number;
  createTime: number;
  payTime: number | null;
  items: OrderItem[];
}

/** The blank shop names, used in turn so that each kind is present. */
export const BLANK_SHOP_NAMES: (string | null)[] = [null, '', '   ', '\u3000'];

export const ORDER_STATUS = { unpaid: 1, paid: 2, completed: 3, cancelled: 4, refunded: 5 } as const;

/** Local hours 07–21 and their share of a day's orders (morning peak). */
const HOUR_WEIGHTS = cumulative([8, 14, 12, 8, 7, 10, 9, 7, 7, 6, 5, 4, 3, 2, 1]);
const ITEM_COUNT = cumulative([76, 19, 4, 1]);
const QUANTITY = cumulative([95, 4, 1]);
const CHANNELS = cumulative(PAY_CHANNELS.map((c) => c.share));
const STATUS_CODES = [ORDER_STATUS.completed, ORDER_STATUS.paid, ORDER_STATUS.unpaid, ORDER_STATUS.cancelled, ORDER_STATUS.refunded];
const STATUS = cumulative([955, 10, 5, 20, 10]);
/** NZD prices: the same menu at about 1.65 NZD per USD. */
const NZD_PER_USD = 1.65;

/** Orders per day: proportional to the open stores' weight, ramping up after launch, quieter at weekends; exact total. */
export function ordersPerDay(total: number, stores: Store[]): number[] {
  const weights: number[] = [];
  for (let d = 0; d < DAYS; d++) {
    const day = LAUNCH + d * DAY;
    const open = stores.filter((s) => !s.test && parseDate(s.openDate) <= day).reduce((sum, s) => sum + s.weight, 0);
    const ramp = 0.55 + 0.45 * Math.min(1, d / 120);
    const wd = weekday(day);
    weights.push(open * ramp * (wd === 5 ? 0.85 : wd === 6 ? 0.75 : 1));
  }
  // Largest remainder: the days add up to exactly `total`.
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / sum) * total);
  const counts = exact.map(Math.floor);
  let missing = total - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; missing > 0; k++, missing--) counts[order[k % order.length]![1]]!++;
  return counts;
}

/** Skewed towards low ids: regular customers order more often. */
export function skewedId(rng: Random, max: number): number {
  return Math.min(max, 1 + Math.floor(max * Math.pow(rng.next(), 1.6)));
}

/** "LKUS" + yyyymmdd of the day + the order's 6-digit sequence number that day. */
function orderNoPrefix(day: number): string {
  return `LKUS${new Date(day * 1000).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

function orderNo(prefix: string, seq: number): string {
  return `${prefix}${String(seq).padStart(6, '0')}`;
}

/** The order numbers of the last `count` orders (the ones still in the order cache). */
export function lastOrderNumbers(volumes: OrderVolumes, stores: Store[], count: number): string[] {
  const perDay = ordersPerDay(volumes.orders, stores);
  const out: string[] = [];
  for (let d = DAYS - 1; d >= 0 && out.length < count; d--) {
    const prefix = orderNoPrefix(LAUNCH + d * DAY);
    for (let seq = perDay[d]!; seq >= 1 && out.length < count; seq--) out.push(orderNo(prefix, seq));
  }
  return out.reverse();
}

export function* generateOrders(seed: number, volumes: OrderVolumes, stores: Store[], menu: Commodity[]): Generator<Order> {
  const rng = new Random(seed, 'orders');
  const currency = new ExactCategories(new Random(seed, 'orders/currency'), volumes.orders, [volumes.nzd, volumes.nullCurrency]);
  const blank = new ExactCategories(new Random(seed, 'orders/blank-shop'), volumes.orders, [volumes.blankShopName]);
  const sellable = menu.filter((c) => c.sellable);
  const popularity = cumulative(sellable.map((c) => c.popularity));
  const byId = new Map(stores.map((s) => [s.id, s]));
  const testKitchen = stores.find((s) => s.name === 'NJ Test Kitchen')!;
  const labTest = stores.find((s) => s.name === 'Lab-Test Store')!;
  const iqa = stores.find((s) => s.name === 'IQA2 Store')!;
  const perDay = ordersPerDay(volumes.orders, stores);
  let id = 0;
  let blanks = 0;
  for (let d = 0; d < DAYS; d++) {
    const day = LAUNCH + d * DAY;
    const open = stores.filter((s) => !s.test && parseDate(s.openDate) <= day);
    const openWeights = cumulative(open.map((s) => s.weight));
    const prefix = orderNoPrefix(day);
    const times: number[] = [];
    for (let i = 0; i < perDay[d]!; i++) {
      times.push(day + (7 + rng.weighted(HOUR_WEIGHTS)) * 3600 + rng.int(0, 3599));
    }
    times.sort((a, b) => a - b);
    for (let seq = 1; seq <= times.length; seq++) {
      id++;
      const createTime = times[seq - 1]!;
      const kind = currency.next();
      const isNzd = kind === 0;
      let shop: Store;
      if (isNzd) shop = rng.chance(0.5) ? iqa : open[rng.weighted(openWeights)]!;
      else {
        const r = rng.next();
        shop = r < 0.004 ? testKitchen : r < 0.006 ? labTest : r < 0.007 ? iqa : open[rng.weighted(openWeights)]!;
      }
      const items: OrderItem[] = [];
      const itemCount = 1 + rng.weighted(ITEM_COUNT);
      let total = 0;
      for (let k = 0; k < itemCount; k++) {
        const c = sellable[rng.weighted(popularity)]!;
        const unitCents = isNzd ? Math.round((c.priceCents * NZD_PER_USD) / 5) * 5 : c.priceCents;
        const quantity = 1 + rng.weighted(QUANTITY);
        items.push({ commodityId: c.id, name: c.name, quantity, unitCents });
        total += unitCents * quantity;
      }
      let discount = 0;
      let couponId: number | null = null;
      // Heavy discounting (section 3.1): most orders use a coupon.
      if (volumes.coupons > 0 && rng.chance(0.68)) {
        couponId = skewedId(rng, volumes.coupons);
        const offers = [150, 200, 200, 250, 300, Math.round(total / 10) * 5, total - 99, total - 199];
        discount = Math.max(0, Math.min(total, rng.pick(offers)));
      }
      const status = STATUS_CODES[rng.weighted(STATUS)]!;
      const paid = status === ORDER_STATUS.completed || status === ORDER_STATUS.paid || status === ORDER_STATUS.refunded;
      const payTime = paid ? createTime + rng.int(3, 120) : null;
      const payChannel = PAY_CHANNELS[rng.weighted(CHANNELS)]!.id;
      let shopName: string | null = byId.get(shop.id)!.name;
      if (blank.next() === 0) shopName = BLANK_SHOP_NAMES[blanks++ % BLANK_SHOP_NAMES.length]!;
      yield {
        id,
        orderNo: orderNo(prefix, seq),
        userId: skewedId(rng, volumes.users),
        shopId: shop.id,
        shopName,
        currency: isNzd ? 'NZD' : kind === 1 ? null : 'USD',
        country: isNzd ? 'CK' : 'US',
        totalCents: total,
        discountCents: discount,
        payCents: total - discount,
        couponId,
        payChannel,
        status,
        createTime,
        payTime,
        items,
      };
    }
  }
}
