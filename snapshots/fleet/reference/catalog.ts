// Fixed reference data of the fleet: stores, payment channels, the commodity
// catalogue, coupon templates, LLM providers, and name parts for users. These
// do not scale: a catalogue is the same size whatever the order volume.

export interface Store {
  id: number;
  shopNo: string;
  name: string;
  city: string;
  state: string | null;
  countryCode: string;
  latitude: string;
  longitude: string;
  timezone: string;
  openDate: string;
  /** Relative order volume. */
  weight: number;
  /** A test store (by name); orders there are few. */
  test: boolean;
}

const NY = 'America/New_York';

/**
 * 16 New York City stores (Manhattan and Brooklyn) and 3 test stores.
 * "Testament Ave" is a real store whose name merely starts with "Test": it must
 * not count as a test name. "Lab-Test Store" is a test name ("-" is a word boundary).
 */
export const STORES: Store[] = [
  { id: 1001, shopNo: 'US0001', name: '755 Broadway (Astor Pl)', city: 'New York', state: 'NY', countryCode: 'US', latitude: '40.729504', longitude: '-73.991556', timezone: NY, openDate: '2025-06-30', weight: 14, test: false },
  { id: 1002, shopNo: 'US0002', name: '800 6th Ave (NoMad)', city: 'New York', state: 'NY', countryCode: 'US', latitude: '40.745911', longitude: '-73.990993', timezone: NY, openDate: '2025-06-30', weight: 13, test: false },
  { id: 1003, shopNo: 'US0003', name: 'Fulton St & Broadway', city: 'New York', state: 'NY', countryCode: 'US', latitude: '40.709743', longitude: '-74.009202', timezone: NY, openDate: '2025-07-21', weight: 10, test: false },
  { id: 1004, shopNo: 'US0004', name: '8th Ave & W 37th St', city: 'New York', state: 'NY', countryCode: 'US', latitude: '40.754541', longitude: '-73.991806', timezone: NY, openDate: '2025-07-28', weight: 11, test: false },
  { id: 1005, shopNo: 'US0005', name: 'Lexington Ave & E 52nd St', city: 'New York', state: 'NY', countryCode: 'US', latitude: '40.757012', longitude: '-73.971234', timezone: NY, openDate: '2025-08-11', weight: 9, test: false },
  { id: 1006, shopNo: 'US0006', name: 'Union Square West', city: 'New York', state: 'NY', countryCode: 'US', latitude: '40.736021', longitude: '-73.990421', timezone: NY, openDate: '2025-08-18', weight: 12, test: false },
  { id: 1007, shopNo: 'US0007', name: 'W 23rd St & 7th Ave (Chelsea)', city: 'New York', state: 'NY', countryCode: 'US', latitude: '40.744012', longitude: '-73.995512', timezone: NY, openDate: '2025-09-01', weight: 8, test: false },
  { id: 1008, shopNo: 'US0008', name: 'Broadway & W 72nd St', city: 'New York', state: 'NY', countryCode: 'US', latitude: '40.778102', longitude: '-73.981923', timezone: NY, openDate: '2025-09-15', weight: 7, test: false },
  { id: 1009, shopNo: 'US0009', name: '3rd Ave & E 77th St', city: 'New York', state: 'NY', countryCode: 'US', latitude: '40.772913', longitude: '-73.956812', timezone: NY, openDate: '2025-09-29', weight: 6, test: false },
  { id: 1010, shopNo: 'US0010', name: 'Broadway & W 114th St (Columbia)', city: 'New York', state: 'NY', countryCode: 'US', latitude: '40.807522', longitude: '-73.964301', timezone: NY, openDate: '2025-10-06', weight: 8, test: false },
  { id: 1011, shopNo: 'US0011', name: 'Wall St & William St', city: 'New York', state: 'NY', countryCode: 'US', latitude: '40.706113', longitude: '-74.008712', timezone: NY, openDate: '2025-10-20', weight: 9, test: false },
  { id: 1012, shopNo: 'US0012', name: 'Court St (Borough Hall)', city: 'Brooklyn', state: 'NY', countryCode: 'US', latitude: '40.692804', longitude: '-73.990317', timezone: NY, openDate: '2025-11-03', weight: 6, test: false },
  { id: 1013, shopNo: 'US0013', name: 'Bedford Ave (Williamsburg)', city: 'Brooklyn', state: 'NY', countryCode: 'US', latitude: '40.717822', longitude: '-73.957301', timezone: NY, openDate: '2025-11-17', weight: 7, test: false },
  { id: 1014, shopNo: 'US0014', name: 'Water St (DUMBO)', city: 'Brooklyn', state: 'NY', countryCode: 'US', latitude: '40.703312', longitude: '-73.989012', timezone: NY, openDate: '2025-12-01', weight: 5, test: false },
  { id: 1015, shopNo: 'US0015', name: '5th Ave (Park Slope)', city: 'Brooklyn', state: 'NY', countryCode: 'US', latitude: '40.675011', longitude: '-73.981023', timezone: NY, openDate: '2025-12-15', weight: 5, test: false },
  { id: 1016, shopNo: 'US0016', name: 'Testament Ave', city: 'Brooklyn', state: 'NY', countryCode: 'US', latitude: '40.630214', longitude: '-73.962418', timezone: NY, openDate: '2026-01-12', weight: 4, test: false },
  { id: 9001, shopNo: 'TS0001', name: 'NJ Test Kitchen', city: 'Jersey City', state: 'NJ', countryCode: 'US', latitude: '40.717791', longitude: '-74.043142', timezone: NY, openDate: '2025-05-19', weight: 0, test: true },
  { id: 9002, shopNo: 'TS0002', name: 'Lab-Test Store', city: 'Long Island City', state: 'NY', countryCode: 'US', latitude: '40.744679', longitude: '-73.948542', timezone: NY, openDate: '2025-06-02', weight: 0, test: true },
  { id: 9003, shopNo: 'TS0003', name: 'IQA2 Store', city: 'Avarua', state: null, countryCode: 'CK', latitude: '-21.207778', longitude: '-159.775000', timezone: 'Pacific/Rarotonga', openDate: '2025-06-02', weight: 0, test: true },
];

/** The 11 payment channels (section 3.1), with their share of payments. */
export const PAY_CHANNELS: { id: number; code: string; name: string; share: number }[] = [
  { id: 1, code: 'CARD_VISA', name: 'Visa', share: 20 },
  { id: 2, code: 'CARD_MASTERCARD', name: 'Mastercard', share: 12 },
  { id: 3, code: 'CARD_AMEX', name: 'American Express', share: 7 },
  { id: 4, code: 'CARD_DISCOVER', name: 'Discover', share: 2 },
  { id: 5, code: 'APPLE_PAY', name: 'Apple Pay', share: 34 },
  { id: 6, code: 'GOOGLE_PAY', name: 'Google Pay', share: 10 },
  { id: 7, code: 'PAYPAL', name: 'PayPal', share: 3 },
  { id: 8, code: 'GIFT_CARD', name: 'Luckin Gift Card', share: 5 },
  { id: 9, code: 'LUCKY_WALLET', name: 'Luckin Wallet', share: 5 },
  { id: 10, code: 'CASH_APP_PAY', name: 'Cash App Pay', share: 1 },
  { id: 11, code: 'VENMO', name: 'Venmo', share: 1 },
];

export interface Commodity {
  id: number;
  code: string;
  name: string;
  nameEn: string | null;
  category: string;
  priceCents: number;
  status: number;
  /** Sold in stores (drinks, food) rather than a supply item. */
  sellable: boolean;
  /** Relative popularity among sellable items. */
  popularity: number;
}

// [name, English name (null: not localised), price in cents, popularity]
const DRINKS: [string, string | null, number, number][] = [
  ['生椰拿铁', 'Coconut Latte', 545, 30],
  ['冰吸生椰拿铁', 'Iced Coconut Latte', 575, 18],
  ['椰云拿铁', 'Coconut Cloud Latte', 575, 8],
  ['厚乳拿铁', 'Thick Milk Latte', 525, 9],
  ['丝绒拿铁', 'Velvet Latte', 525, 10],
  ['标准美式', 'Americano', 345, 14],
  ['加浓美式', 'Extra Shot Americano', 395, 5],
  ['橙C美式', 'Orange C Americano', 495, 9],
  ['柚C美式', null, 495, 4],
  ['陨石拿铁', 'Brown Sugar Boba Latte', 595, 6],
  ['抹茶拿铁', 'Matcha Latte', 545, 8],
  ['茉莉花香拿铁', 'Jasmine Latte', 545, 5],
  ['碧螺知春拿铁', null, 575, 2],
  ['酱香拿铁', null, 595, 3],
  ['澳瑞白', 'Flat White', 495, 5],
  ['卡布奇诺', 'Cappuccino', 475, 6],
  ['焦糖玛奇朵', 'Caramel Macchiato', 545, 6],
  ['摩卡', 'Mocha', 525, 4],
  ['香草拿铁', 'Vanilla Latte', 525, 6],
  ['海盐焦糖拿铁', null, 575, 3],
  ['生酪拿铁', 'Cheese Latte', 575, 3],
  ['小黄油拿铁', null, 575, 2],
  ['鸳鸯拿铁', null, 525, 1],
  ['桂花拿铁', 'Osmanthus Latte', 545, 2],
  ['黑糖珍珠拿铁', 'Black Sugar Pearl Latte', 595, 3],
  ['轻咖柠檬茶', 'Coffee Lemon Tea', 445, 3],
  ['杨枝甘露', 'Mango Pomelo Sago', 595, 2],
  ['葡萄冰萃', null, 525, 1],
  ['Coconut 生椰 Cold Brew', 'Coconut Cold Brew', 525, 3],
  ['Latte', 'Latte', 475, 9],
  ['Iced Latte', 'Iced Latte', 495, 8],
  ['Cold Brew', 'Cold Brew', 445, 6],
  ['Espresso', 'Espresso', 345, 2],
  ['【NEW】Coconut Cloud Americano', 'Coconut Cloud Americano', 525, 2],
  // Japanese and Korean names: CJK, but not Han script (katakana, hangul).
  ['ココナッツラテ', 'Coconut Latte (JP label)', 545, 1],
  ['キャラメルマキアート', 'Caramel Macchiato (JP label)', 545, 1],
  ['ミルクティー', 'Milk Tea (JP label)', 445, 1],
  ['카페라떼', 'Cafe Latte (KR label)', 475, 1],
  ['아메리카노', 'Americano (KR label)', 345, 1],
  ['바닐라 라떼', 'Vanilla Latte (KR label)', 525, 1],
];

const FOOD: [string, string | null, number, number][] = [
  ['Butter Croissant', 'Butter Croissant', 375, 5],
  ['Almond Croissant', 'Almond Croissant', 425, 3],
  ['Blueberry Muffin', 'Blueberry Muffin', 395, 3],
  ['Chocolate Chip Cookie', 'Chocolate Chip Cookie', 295, 4],
  ['Everything Bagel & Cream Cheese', 'Everything Bagel & Cream Cheese', 445, 3],
  ['Egg & Cheese Sandwich', 'Egg & Cheese Sandwich', 595, 3],
  ['Turkey Pesto Panini', 'Turkey Pesto Panini', 795, 2],
  ['提拉米苏', 'Tiramisu', 545, 2],
  ['麻薯', null, 325, 1],
  ['Banana Bread', 'Banana Bread', 375, 2],
];

const SUPPLIES: [string, string | null, number][] = [
  ['阿拉比卡咖啡豆 1kg', 'Arabica Coffee Beans 1kg', 2890],
  ['厚椰乳 1L', 'Coconut Milk 1L', 459],
  ['全脂牛奶 1gal', 'Whole Milk 1gal', 529],
  ['燕麦奶 1L', 'Oat Milk 1L', 489],
  ['抹茶粉 500g', 'Matcha Powder 500g', 3450],
  ['焦糖糖浆 750ml', 'Caramel Syrup 750ml', 1190],
  ['香草糖浆 750ml', 'Vanilla Syrup 750ml', 1190],
  ['黑糖珍珠 1kg', null, 890],
  ['Brown Sugar Syrup 750ml', 'Brown Sugar Syrup 750ml', 1090],
  ['12oz 热饮纸杯', '12oz Hot Cup', 12],
  ['16oz 冷饮杯', '16oz Cold Cup', 14],
  ['Cup Lid 16oz', 'Cup Lid 16oz', 4],
  ['Paper Straw', 'Paper Straw', 2],
  ['Napkin (pack of 500)', 'Napkin (pack of 500)', 690],
  ['冰块 10lb', 'Ice 10lb', 350],
  ['Jasmine Tea Leaves 500g', 'Jasmine Tea Leaves 500g', 1890],
  ['Orange Juice NFC 1L', 'Orange Juice NFC 1L', 599],
  ['Croissant (frozen, case of 48)', 'Croissant (frozen, case of 48)', 7490],
  ['奶酪奶盖粉 1kg', null, 1590],
  ['Cleaning Tablets (espresso machine)', 'Cleaning Tablets', 2490],
];

/** The commodity catalogue (not scaled): drinks hot and iced, food, supplies. */
export function commodities(): Commodity[] {
  const out: Commodity[] = [];
  let id = 100001;
  const add = (name: string, nameEn: string | null, category: string, priceCents: number, sellable: boolean, popularity: number, status = 1) => {
    out.push({ id, code: `${category.slice(0, 2).toUpperCase()}${String(id).slice(-5)}`, name, nameEn, category, priceCents, status, sellable, popularity });
    id++;
  };
  for (const [name, en, price, popularity] of DRINKS) {
    add(name, en, 'coffee', price, true, popularity);
    // The large size of every drink, as the China catalogue models it.
    const large = /\p{Script=Han}/u.test(name) ? `${name}（大杯）` : `${name} (Large)`;
    add(large, en ? `${en} (Large)` : null, 'coffee', price + 70, true, Math.max(1, Math.round(popularity / 3)));
  }
  for (const [name, en, price, popularity] of FOOD) add(name, en, 'food', price, true, popularity);
  for (const [name, en, price] of SUPPLIES) add(name, en, 'supply', price, false, 0);
  // Discontinued items stay in the catalogue with status 0.
  add('季节限定 南瓜拿铁', 'Pumpkin Spice Latte', 'coffee', 575, false, 0, 0);
  add('Holiday Gingerbread Latte', 'Holiday Gingerbread Latte', 'coffee', 575, false, 0, 0);
  return out;
}

export interface CouponTemplate {
  id: number;
  name: string;
  faceValueCents: number;
  active: number;
  /** Relative share of issued coupons. */
  weight: number;
}

/** Coupon templates; the IQA2 ones are test coupons (section 8.2, DQ-005). */
export function couponTemplates(): CouponTemplate[] {
  const base: [string, number, number, number][] = [
    ['New User Coffee $0.99', 450, 1, 30],
    ['$2 Off Any Drink', 200, 1, 40],
    ['$1.50 Off Any Drink', 150, 1, 35],
    ['$3 Off Orders Over $10', 300, 1, 15],
    ['Buy One Get One Free', 545, 1, 20],
    ['50% Off Second Drink', 275, 1, 18],
    ['Weekend $1 Off', 100, 1, 25],
    ['Student Deal $1 Off', 100, 1, 10],
    ['Referral Reward $5', 500, 1, 8],
    ['Birthday Free Drink', 595, 1, 3],
    ['Coconut Latte Launch $2.99', 246, 0, 12],
    ['Grand Opening Free Drink', 545, 0, 9],
    ['Summer Cold Brew $1 Off', 100, 0, 7],
    ['Back to School 40% Off', 220, 0, 6],
    ['Holiday Gift $3 Off', 300, 0, 6],
    ['生椰拿铁 立减2美元', 200, 0, 4],
    ['IQA2 Test Coupon 100% Off', 999, 1, 1],
    ['IQA2 测试券 $5', 500, 1, 1],
    ['iqa2-regression free drink', 595, 0, 1],
  ];
  return base.map(([name, face, active, weight], i) => ({ id: 5001 + i, name, faceValueCents: face, active, weight }));
}

export const FIRST_NAMES = [
  'james', 'mary', 'john', 'patricia', 'robert', 'jennifer', 'michael', 'linda', 'david', 'elizabeth', 'william', 'barbara',
  'richard', 'susan', 'joseph', 'jessica', 'thomas', 'sarah', 'chris', 'karen', 'daniel', 'lisa', 'matthew', 'nancy', 'anthony',
  'betty', 'mark', 'sandra', 'wei', 'jing', 'li', 'yan', 'hui', 'min', 'jun', 'xin', 'priya', 'arjun', 'sofia', 'mateo', 'camila',
  'diego', 'olivia', 'liam', 'emma', 'noah', 'ava', 'ethan', 'mia', 'lucas', 'aisha', 'omar', 'fatima', 'yuki', 'haruto', 'minji',
  'jiwoo', 'kevin', 'grace', 'ryan', 'chloe', 'tyler', 'zoe', 'brandon', 'hannah', 'justin', 'natalie',
];

export const LAST_NAMES = [
  'smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez', 'martinez', 'hernandez', 'lopez',
  'gonzalez', 'wilson', 'anderson', 'thomas', 'taylor', 'moore', 'jackson', 'martin', 'lee', 'perez', 'thompson', 'white', 'harris',
  'sanchez', 'clark', 'ramirez', 'lewis', 'robinson', 'wang', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu',
  'kim', 'park', 'choi', 'nguyen', 'tran', 'patel', 'shah', 'singh', 'cohen', 'levy', 'rossi', 'russo', 'murphy', 'kelly', "o'brien",
];

export const EMAIL_DOMAINS: [string, number][] = [
  ['gmail.com', 52],
  ['yahoo.com', 11],
  ['outlook.com', 8],
  ['icloud.com', 14],
  ['hotmail.com', 5],
  ['qq.com', 3],
  ['163.com', 2],
  ['aol.com', 2],
  ['nyu.edu', 2],
  ['columbia.edu', 1],
];

/** NYC area codes (212/646/332/917 Manhattan, 718/347/929 the other boroughs). */
export const AREA_CODES = ['212', '646', '332', '917', '718', '347', '929', '201', '551'];

export const CHINESE_NICKNAMES = ['小明', '咖啡控', '拿铁爱好者', '阿杰', '小鹿', '晨曦', '大橙子', '美式续命', '椰子'];

/** LLM providers configured in Dify, and how each credential is stored. */
export const PROVIDERS = ['openai', 'anthropic', 'azure_openai', 'deepseek', 'moonshot', 'zhipuai', 'tongyi', 'minimax', 'cohere', 'jina', 'ollama', 'openrouter'];
