// Completion and "did you mean" for the SQL console, from the snapshot's
// catalog: table names (as the SQL names to paste) and column names, and the
// nearest known name when SQLite says a table or column does not exist.

export interface Completion {
  /** What is inserted. */
  text: string;
  /** What it is: "table" or "column of t_order". */
  detail: string;
}

/** The word being typed before the cursor: its start and text (identifiers, quoted or not, with / . - inside quotes). */
export function wordAt(sql: string, cursor: number): { start: number; word: string } {
  let start = cursor;
  const before = sql.slice(0, cursor);
  const quoted = /"[^"]*$/.exec(before);
  if (quoted && (before.slice(0, quoted.index).split('"').length - 1) % 2 === 0) start = quoted.index;
  else while (start > 0 && /[\w$]/.test(sql[start - 1]!)) start--;
  return { start, word: sql.slice(start, cursor) };
}

/** Names that start with (else contain) the word, tables first; at most `limit`. */
export function completions(word: string, tables: { sqlName: string; table: string; columns: string[] }[], limit = 12): Completion[] {
  const bare = word.replace(/^"/, '').toLowerCase();
  if (bare.length === 0) return [];
  const out: (Completion & { rank: number })[] = [];
  const seen = new Set<string>();
  const consider = (text: string, name: string, detail: string, base: number) => {
    const lower = name.toLowerCase();
    const at = lower.indexOf(bare);
    if (at < 0 || seen.has(text)) return;
    seen.add(text);
    out.push({ text, detail, rank: base + (at === 0 ? 0 : 1) + (lower.split('/').pop()!.startsWith(bare) ? 0 : 0.5) });
  };
  for (const t of tables) consider(t.sqlName, t.table, 'table', 0);
  for (const t of tables) for (const c of t.columns) consider(/^[A-Za-z_][\w]*$/.test(c) ? c : `"${c.replaceAll('"', '""')}"`, c, `column of ${t.table.split('/').pop()}`, 2);
  return out
    .sort((a, b) => a.rank - b.rank || a.text.length - b.text.length)
    .slice(0, limit)
    .map(({ text, detail }) => ({ text, detail }));
}

/** Edit distance (Levenshtein), case-insensitive, capped to keep it cheap. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (Math.abs(x.length - y.length) > 8) return 99;
  let previous = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[y.length]!;
}

/**
 * "did you mean …?" for SQLite's "no such table: X" / "no such column: X":
 * the closest known table (by its full name or its last part) or column.
 */
export function didYouMean(message: string, tables: { sqlName: string; table: string; columns: string[] }[]): string | null {
  const match = /no such (table|column): ([^\s,)]+)/i.exec(message);
  if (!match) return null;
  const missing = match[2]!.replace(/^["'`]|["'`]$/g, '');
  const short = missing.split('.').pop()!;
  let best: { text: string; distance: number } | null = null;
  const offer = (text: string, name: string) => {
    const distance = Math.min(editDistance(missing, name), editDistance(short, name.split('/').pop()!));
    if (!best || distance < best.distance) best = { text, distance };
  };
  if (match[1]!.toLowerCase() === 'table') for (const t of tables) offer(t.sqlName, t.table);
  else for (const t of tables) for (const c of t.columns) offer(c, c);
  const found = best as { text: string; distance: number } | null;
  if (!found || found.distance > Math.max(2, Math.floor(short.length / 3))) return null;
  return found.text;
}
