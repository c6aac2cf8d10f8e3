// Numbers, sizes, dates and cells as the user's locale writes them.
import type { Cell } from '../api/arrow.ts';

const locale = typeof navigator !== 'undefined' ? navigator.language : 'en-US';
const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
const money = new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const moneyCents = new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
/** The UI writes every date one way: the reader's locale, with the time zone ("Dec 6, 2026, 2:33 PM UTC"). */
const dateTime = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });

export function formatCount(n: number | bigint | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return integer.format(n);
}

/** "1 store", "100 stores": the count in the reader's locale with the noun its plural rules ask for. */
export function countOf(n: number, one: string, other: string): string {
  return `${formatCount(n)} ${new Intl.PluralRules(locale).select(n) === 'one' ? one : other}`;
}

export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return decimal.format(n);
}

export function formatMoney(n: number | null | undefined, cents = false): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return (cents ? moneyCents : money).format(n);
}

export function formatPercent(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  return percent.format(share);
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${decimal.format(unit === 0 ? value : Math.round(value * 10) / 10)} ${units[unit]}`;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

export function formatSeconds(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${decimal.format(seconds)} s`;
}

/** A cell as text: exact (no rounding, no grouping), bytes in hex. */
export function cellText(value: Cell | undefined): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Uint8Array) {
    let hex = '';
    for (let i = 0; i < Math.min(value.length, 32); i++) hex += value[i]!.toString(16).padStart(2, '0');
    return `0x${hex}${value.length > 32 ? `… (${value.length} bytes)` : ''}`;
  }
  return String(value);
}

export function isNumericCell(value: Cell | undefined): boolean {
  return typeof value === 'number' || typeof value === 'bigint';
}
