// Timestamps as the servers print them ("2025-07-01 08:15:00"), built from
// whole seconds without Date objects in the hot loop. Times are the stores'
// local wall-clock time, stored without a zone as the source system does.

const DAY = 86400;
/** First order day: the first two NYC stores opened on 2025-06-30. */
export const LAUNCH = Date.UTC(2025, 5, 30) / 1000;
/** The report's data reflects the state of 2026-02-13; that is the last day of data. */
export const LAST_DAY = Date.UTC(2026, 1, 13) / 1000;
export const DAYS = (LAST_DAY - LAUNCH) / DAY + 1;
/** "Now" for TTLs and expiry dates: the end of the last day. */
export const NOW = LAST_DAY + DAY - 1;

const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const dayText = new Map<number, string>();

export function formatDate(epochSeconds: number): string {
  const day = Math.floor(epochSeconds / DAY);
  let text = dayText.get(day);
  if (text === undefined) {
    text = new Date(day * DAY * 1000).toISOString().slice(0, 10);
    dayText.set(day, text);
  }
  return text;
}

export function formatDateTime(epochSeconds: number): string {
  const s = Math.floor(epochSeconds);
  const secondOfDay = ((s % DAY) + DAY) % DAY;
  const h = Math.floor(secondOfDay / 3600);
  const m = Math.floor((secondOfDay % 3600) / 60);
  return `${formatDate(s)} ${TWO[h]}:${TWO[m]}:${TWO[secondOfDay % 60]}`;
}

export function parseDate(text: string): number {
  return Date.parse(`${text}T00:00:00Z`) / 1000;
}

/** Day of week of an epoch day start: 0 = Monday … 6 = Sunday. */
export function weekday(epochSeconds: number): number {
  return (Math.floor(epochSeconds / DAY) + 3) % 7;
}

export { DAY };
