// Links to a view inside the app (as Datasette's URLs are): a table with its
// sort and filters, or a query, of a snapshot named by its path. The link is
// the URL's fragment, so it works in any tab of the same browser (the host's
// token is in a cookie) and never reaches a server log.
import type { ColumnFilter, ColumnSort } from '../../../../shared/api/types.ts';
import { FILTER_OPS } from '../../../../shared/api/types.ts';

export type ExplorerLink = { snapshot: string; kind: 'table'; table: string; filters: ColumnFilter[]; sort: ColumnSort | null } | { snapshot: string; kind: 'sql'; sql: string };

export function explorerLinkHash(link: ExplorerLink): string {
  const params = new URLSearchParams({ snapshot: link.snapshot });
  if (link.kind === 'table') {
    params.set('table', link.table);
    if (link.filters.length > 0) params.set('filters', JSON.stringify(link.filters));
    if (link.sort) params.set('sort', `${link.sort.direction === 'desc' ? '-' : ''}${link.sort.column}`);
  } else params.set('sql', link.sql);
  return `#/explorer?${params.toString()}`;
}

export function explorerLinkUrl(link: ExplorerLink): string {
  return `${window.location.origin}${window.location.pathname}${explorerLinkHash(link)}`;
}

function isFilter(value: unknown): value is ColumnFilter {
  if (typeof value !== 'object' || value === null) return false;
  const f = value as Record<string, unknown>;
  return typeof f.column === 'string' && (FILTER_OPS as readonly string[]).includes(f.op as string) && (f.value === undefined || typeof f.value === 'string');
}

/** The link in a URL fragment, or null when the fragment is not one (anything malformed is ignored). */
export function parseExplorerLink(hash: string): ExplorerLink | null {
  const match = /^#\/explorer\?(.*)$/.exec(hash);
  if (!match) return null;
  const params = new URLSearchParams(match[1]);
  const snapshot = params.get('snapshot');
  if (!snapshot) return null;
  const sql = params.get('sql');
  if (sql) return { snapshot, kind: 'sql', sql };
  const table = params.get('table');
  if (!table) return null;
  let filters: ColumnFilter[] = [];
  try {
    const parsed: unknown = JSON.parse(params.get('filters') ?? '[]');
    if (Array.isArray(parsed)) filters = parsed.filter(isFilter).slice(0, 32);
  } catch {
    filters = [];
  }
  const sortText = params.get('sort');
  const sort: ColumnSort | null = sortText ? { column: sortText.replace(/^-/, ''), direction: sortText.startsWith('-') ? 'desc' : 'asc' } : null;
  return { snapshot, kind: 'table', table, filters, sort };
}
