// Parsing the text a snapshot stores for DECIMAL and date/time columns into the
// exact numbers Parquet and Arrow hold: scaled integers for decimals, days for
// DATE, microseconds since the epoch (UTC) for TIMESTAMP. Anything that is not
// such a value (a zero date, PostgreSQL's infinity or NaN, a BC date) returns
// null, and the exporter then keeps that column as text and lists the value.

const DECIMAL_SHAPE = /^(-?)(\d+)(?:\.(\d+))?$/;

/** `text` as units of 10^-scale, or null when it is not a plain decimal of at most `precision` digits and `scale` decimals. */
export function decimalUnits(text: string, precision: number, scale: number): bigint | null {
  const match = DECIMAL_SHAPE.exec(text);
  if (!match) return null;
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > scale) {
    // Trailing zeros beyond the scale lose nothing ("1.500" in DECIMAL(5,2)).
    if (!/^0*$/.test(fraction.slice(scale))) return null;
  }
  const digits = whole!.replace(/^0+(?=\d)/, '') + fraction.slice(0, scale).padEnd(scale, '0');
  if (digits.replace(/^0+/, '').length > precision) return null;
  const units = BigInt(digits);
  return sign === '-' ? -units : units;
}

/** An integer (as SQLite returned it, or decimal text) as a bigint; null when it is not one. */
export function integerValue(value: unknown): bigint | null {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : null;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  return null;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days since 1970-01-01 of a valid proleptic Gregorian date from year 1 to 9999; null otherwise. */
function epochDay(year: number, month: number, day: number): number | null {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return null;
  if (day > (month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!)) return null;
  // Days from civil (Howard Hinnant's algorithm): exact for every year, no Date object needed.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` as days since the epoch; null for a zero date or anything else. */
export function dateDays(text: string): number | null {
  const match = DATE_SHAPE.exec(text);
  if (!match) return null;
  return epochDay(Number(match[1]), Number(match[2]), Number(match[3]));
}

const TIMESTAMP_SHAPE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/;

/**
 * `YYYY-MM-DD[ HH:MM:SS[.ffffff]][+HH[:MM]]` as microseconds since the epoch
 * in UTC (a value without an offset is taken as UTC, which is how the snapshot
 * stores TIMESTAMP and timestamptz); null for a zero date or anything else.
 */
export function timestampMicros(text: string): bigint | null {
  const match = TIMESTAMP_SHAPE.exec(text);
  if (!match) return null;
  const day = epochDay(Number(match[1]), Number(match[2]), Number(match[3]));
  if (day === null) return null;
  const hours = Number(match[4] ?? 0);
  const minutes = Number(match[5] ?? 0);
  const seconds = Number(match[6] ?? 0);
  if (hours > 23 || minutes > 59 || seconds > 59) return null;
  const micros = BigInt((match[7] ?? '').padEnd(6, '0') || '0');
  let offsetSeconds = 0;
  if (match[9]) {
    const oh = Number(match[10]);
    const om = Number(match[11] ?? 0);
    const os = Number(match[12] ?? 0);
    if (oh > 15 || om > 59 || os > 59) return null;
    offsetSeconds = (match[9] === '-' ? -1 : 1) * (oh * 3600 + om * 60 + os);
  }
  const secondsOfDay = hours * 3600 + minutes * 60 + seconds - offsetSeconds;
  return (BigInt(day) * 86_400n + BigInt(secondsOfDay)) * 1_000_000n + micros;
}
