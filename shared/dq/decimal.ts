// Exact decimal sums. DECIMAL values are stored as the text the server printed
// ("12.50"); adding them as doubles would lose cents, so they are added as
// scaled integers (units × 10^-scale) and printed back as decimal text.

export interface Decimal {
  units: bigint;
  scale: number;
}

const DECIMAL_TEXT = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/** Parses decimal text ("-12.50", "1e3", ".5"); null when it is not a finite decimal number. */
export function parseDecimal(text: string): Decimal | null {
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return null;
  const [, sign, whole = '', fraction = '', exponentText] = match;
  if (whole === '' && fraction === '') return null;
  let digits = whole + fraction;
  let scale = fraction.length - (exponentText ? Number(exponentText) : 0);
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  const units = BigInt(digits === '' ? '0' : digits);
  return { units: sign === '-' ? -units : units, scale };
}

function rescale(value: Decimal, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

export function addDecimals(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) + rescale(b, scale), scale };
}

/** Decimal text with exactly `scale` digits after the point ("0.30"). */
export function formatDecimal(value: Decimal): string {
  const negative = value.units < 0n;
  const digits = (negative ? -value.units : value.units).toString().padStart(value.scale + 1, '0');
  const text = value.scale === 0 ? digits : `${digits.slice(0, -value.scale)}.${digits.slice(-value.scale)}`;
  return negative ? `-${text}` : text;
}

/** Compares two decimal texts numerically: -1, 0 or 1. */
export function compareDecimals(a: Decimal, b: Decimal): number {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale);
  const y = rescale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

const FAST_DECIMAL = /^-?\d{1,15}(?:\.\d{0,15})?$/;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Sums decimal values exactly. Most values ("12.50") fit a double as scaled
 * integers, so they are summed as doubles per scale and moved into BigInt only
 * before a sum could pass 2^53; anything else goes through parseDecimal.
 */
export class DecimalSum {
  private readonly fast: number[] = [];
  private readonly exact: bigint[] = [];
  private scale: number;
  rows = 0;

  /** `minimumScale`: the column's declared scale, so an empty sum of DECIMAL(12,2) prints "0.00". */
  constructor(minimumScale = 0) {
    this.scale = minimumScale;
  }

  add(value: string | number | bigint | null | undefined): void {
    if (value === null || value === undefined) return;
    this.rows++;
    if (typeof value === 'bigint') return this.addExact(value, 0);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new Error(`not a decimal number: ${value}`);
      if (Number.isInteger(value)) return this.addExact(BigInt(value), 0);
      value = String(value);
    }
    if (FAST_DECIMAL.test(value)) {
      const dot = value.indexOf('.');
      const scale = dot < 0 ? 0 : value.length - dot - 1;
      const units = Number(dot < 0 ? value : value.slice(0, dot) + value.slice(dot + 1));
      if (Number.isSafeInteger(units)) {
        const sum = this.fast[scale] ?? 0;
        if (Math.abs(sum) + Math.abs(units) > MAX_SAFE) {
          this.addExact(BigInt(sum), scale);
          this.fast[scale] = units;
        } else this.fast[scale] = sum + units;
        if (scale > this.scale) this.scale = scale;
        return;
      }
    }
    const parsed = parseDecimal(value);
    if (!parsed) throw new Error(`not a decimal number: "${value.length > 40 ? value.slice(0, 40) + '…' : value}"`);
    this.addExact(parsed.units, parsed.scale);
  }

  private addExact(units: bigint, scale: number): void {
    this.exact[scale] = (this.exact[scale] ?? 0n) + units;
    if (scale > this.scale) this.scale = scale;
  }

  value(): Decimal {
    let total: Decimal = { units: 0n, scale: this.scale };
    this.fast.forEach((sum, scale) => {
      if (sum !== undefined) total = addDecimals(total, { units: BigInt(sum), scale });
    });
    this.exact.forEach((sum, scale) => {
      if (sum !== undefined) total = addDecimals(total, { units: sum, scale });
    });
    return total;
  }

  toString(): string {
    return formatDecimal(this.value());
  }
}

/** The scale of a declared DECIMAL/NUMERIC type: `decimal(12,2)` → 2; 0 when none is declared. */
export function declaredScale(declaredType: string): number {
  const match = /^\s*(?:decimal|numeric|dec|fixed)\s*\(\s*\d+\s*,\s*(\d+)\s*\)/i.exec(declaredType);
  return match ? Number(match[1]) : 0;
}
