// The definitions of reference-fleet.md, as code. The generator counts what it
// plants by applying these to the rows and keys it emits, so its planted counts
// are what a correct rule must find.

const BLANK = /^\p{White_Space}*$/u;
const HAN = /\p{Script=Han}/u;
export const TEST_NAME = /\b(test|iqa\d*)\b/i;
/** A value shaped like an API key: `sk-` and 32 or more letters/digits. */
export const API_KEY = /sk-[A-Za-z0-9]{32,}/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[A-Za-z]{2,}$/;
/** North American numbers as people write them: +1 212 555 0123, (212) 555-0123, 212-555-0123, +12125550123. */
const PHONE = /^(?:\+?1[\s.-]?)?\(?[2-9]\d{2}\)?[\s.-]?\d{3}[\s.-]?\d{4}$/;

/** NULL, or empty after trimming Unicode white space (U+3000 included). */
export function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && BLANK.test(value));
}

/** Contains at least one character of Unicode script Han. */
export function isHanText(value: unknown): boolean {
  return typeof value === 'string' && HAN.test(value);
}

export function isTestName(value: unknown): boolean {
  return typeof value === 'string' && TEST_NAME.test(value);
}

export function hasApiKey(value: unknown): boolean {
  // includes() first: almost no value has "sk-", and the regex is the slow part.
  return typeof value === 'string' && value.includes('sk-') && API_KEY.test(value);
}

export function looksLikeEmail(value: unknown): boolean {
  return typeof value === 'string' && EMAIL.test(value);
}

export function looksLikePhone(value: unknown): boolean {
  return typeof value === 'string' && PHONE.test(value);
}

/** Redis: a key without TTL (PTTL -1). */
export function isPersistentKey(ttlMs: number): boolean {
  return ttlMs === -1;
}

/** Values of a column sampled for PII detection, and the share that must look like PII. */
export const PII_SAMPLE_SIZE = 1000;
export const PII_MIN_SHARE = 0.5;

/** Parses "12.34" / "-0.50" into integer cents (exact; never a float sum). */
export function decimalToCents(text: string): number {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new Error(`not a decimal with at most 2 places: ${text}`);
  const cents = Number(match[2]) * 100 + Number((match[3] ?? '0').padEnd(2, '0'));
  return match[1] ? -cents : cents;
}

/** Integer cents → "1234.56". */
export function centsToDecimal(cents: number | bigint): string {
  if (typeof cents === 'number' && Number.isSafeInteger(cents)) {
    const abs = Math.abs(cents);
    const fraction = abs % 100;
    return `${cents < 0 ? '-' : ''}${(abs - fraction) / 100}.${fraction < 10 ? '0' : ''}${fraction}`;
  }
  const value = BigInt(cents);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  return `${negative ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}
