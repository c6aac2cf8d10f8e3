// The `orders` table the MySQL and PostgreSQL benches generate server-side:
// the same values in both engines, checked by the same profile.

/** Shop names: consistent per shop, some Chinese, some NULL (handled by the caller). */
export const ZH_AREAS = ['国贸', '中关村', '陆家嘴', '天河城'];
export const EN_AREAS = ['Broadway', 'Union Square', 'Times Square', 'Wall St', 'Madison Ave', 'Brooklyn Heights'];
export const quoteList = (items: string[]): string => items.map((s) => `'${s}'`).join(', ');

/** A profile of the generated table, the same text for both engines when the data is the same. */
export const PROFILE_COLUMNS = ['rows', 'shop_name NULL', 'Chinese shop_name', 'currency NULL', 'non-USD', 'coupon NULL', 'pay_time NULL', 'sum(pay_amount)', 'first create_time', 'last create_time', 'sample shop_name'];
