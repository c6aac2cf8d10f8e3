// Money is computed in floating-point dollars and rounded once, to whole cents,
// per line item; every sum above a line item adds whole cents, so a total
// printed in JSON is exactly the sum of its printed parts.

export function toCents(dollars: number): number {
  return Math.round(dollars * 100);
}

export function fromCents(cents: number): number {
  return cents / 100;
}

/**
 * Fixed-point text with thousands separators. Hand-rolled because
 * Intl.NumberFormat costs microseconds a call and a scenario formats hundreds
 * of numbers on every slider move.
 */
function fixed(value: number, minimumDigits: number, maximumDigits: number): string {
  let text = Math.abs(value).toFixed(maximumDigits);
  if (maximumDigits > minimumDigits) {
    let end = text.length;
    const keep = text.length - (maximumDigits - minimumDigits);
    while (end > keep && text.charCodeAt(end - 1) === 48) end--;
    if (minimumDigits === 0 && text.charCodeAt(end - 1) === 46) end--;
    text = text.slice(0, end);
  }
  const point = text.indexOf('.');
  const whole = point < 0 ? text : text.slice(0, point);
  const grouped = whole.length > 3 ? whole.replace(/\B(?=(\d{3})+$)/g, ',') : whole;
  const sign = value < 0 && /[1-9]/.test(text) ? '-' : '';
  return sign + grouped + (point < 0 ? '' : text.slice(point));
}

/** `$18,012.40` */
export function formatDollars(dollars: number): string {
  const text = fixed(dollars, 2, 2);
  return text.startsWith('-') ? `-$${text.slice(1)}` : `$${text}`;
}

/** `$18,012` for headline figures. */
export function formatWholeDollars(dollars: number): string {
  const text = fixed(Math.round(dollars), 0, 0);
  return text.startsWith('-') ? `-$${text.slice(1)}` : `$${text}`;
}

/** A number for a formula: at most `digits` decimals, no trailing zeros. */
export function formatNumber(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  return fixed(value, 0, digits);
}

export function formatPercent(share: number, digits = 1): string {
  return `${fixed(share * 100, 0, digits)}%`;
}
