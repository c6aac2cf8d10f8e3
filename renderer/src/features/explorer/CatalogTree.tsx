// The snapshot's tree: instance → database → table, and Redis instance →
// database → key patterns. A search box narrows it; arrow keys move through it.
import { inertText } from '../../../../shared/text/inert.ts';
import { useMemo, useState, type KeyboardEvent } from 'react';
import type { CatalogTree as Tree, RedisPatternEntry, TableEntry } from '../../../../shared/api/types.ts';
import { formatCount } from '../../ui/format.ts';

export interface TreeSelection {
  table: string;
  pattern?: RedisPatternEntry;
}

export function CatalogTree({ tree, selected, onSelect }: { tree: Tree; selected: string | null; onSelect: (selection: TreeSelection) => void }) {
  const [query, setQuery] = useState('');
  const [closed, setClosed] = useState<Set<string>>(() => new Set(tree.instances.filter((i) => i.databases.length === 0).map((i) => i.name)));
  const q = query.trim().toLowerCase();

  const visible = useMemo(() => {
    const matches = (text: string) => q === '' || text.toLowerCase().includes(q);
    return tree.instances
      .map((instance) => {
        const databases = instance.databases
          .map((d) => ({ ...d, tables: d.tables.filter((t) => matches(t.name) || matches(t.source)) }))
          .filter((d) => d.tables.length > 0 || (q !== '' && matches(`${instance.name}/${d.name}`)));
        const patterns = instance.redisPatterns.filter((p) => matches(p.pattern) || matches(instance.name));
        return { instance, databases, patterns };
      })
      .filter((x) => q === '' || x.databases.length > 0 || x.patterns.length > 0 || matches(x.instance.name));
  }, [tree, q]);

  const toggle = (key: string) =>
    setClosed((set) => {
      const next = new Set(set);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const items = [...event.currentTarget.querySelectorAll<HTMLElement>('[data-tree-item]')];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const next = items[Math.max(0, Math.min(items.length - 1, at + (event.key === 'ArrowDown' ? 1 : -1)))];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  };

  // A table checked in place (pull: pushdown) is listed with its row count, marked: the file holds no rows of it to open.
  const tableItem = (t: TableEntry) => (
    <li key={t.name} role="treeitem" aria-selected={selected === t.name}>
      <button
        type="button"
        data-tree-item
        className={`tree-table${selected === t.name ? ' selected' : ''}`}
        onClick={() => onSelect({ table: t.name })}
        title={t.kind === 'pushdown' ? `${formatCount(t.rows)} rows, counted on the server: checked in place (pull: pushdown), no rows in this file` : `${t.sqlName}${t.comment ? ` — ${t.comment}` : ''}`}
        data-table={t.name}
        data-kind={t.kind}
      >
        <span className="tree-name">{t.kind === 'redis-keys' ? 'keys' : inertText(t.source)}</span>
        {t.kind === 'pushdown' && <span className="badge muted">in place</span>}
        <span className="tree-count">{formatCount(t.rows)}</span>
      </button>
    </li>
  );

  return (
    <div className="tree">
      <input type="search" placeholder="Filter tables" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Filter tables" />
      <ul role="tree" aria-label="Instances, databases and tables" onKeyDown={onKeyDown}>
        {visible.map(({ instance, databases, patterns }) => {
          const open = q !== '' || !closed.has(instance.name);
          const empty = databases.length === 0 && patterns.length === 0;
          return (
            <li key={instance.name} role="treeitem" aria-expanded={open}>
              <button type="button" data-tree-item className="tree-instance" onClick={() => toggle(instance.name)} title={`${instance.engine}${instance.domain ? ` · ${instance.domain}` : ''} · ${instance.status}`}>
                <span aria-hidden="true">{empty ? '·' : open ? '▾' : '▸'}</span> <span className={`engine-dot ${instance.engine}`} aria-hidden="true" />
                <span className="tree-name">{inertText(instance.name)}</span>
                {instance.status !== 'pulled' && <span className="tree-count">{instance.status}</span>}
              </button>
              {open && !empty && (
                <ul role="group">
                  {databases.map((d) => {
                    const key = `${instance.name}/${d.name}`;
                    const dbOpen = q !== '' || !closed.has(key);
                    const dbPatterns = patterns.filter((p) => `db${p.db}` === d.name);
                    return (
                      <li key={key} role="treeitem" aria-expanded={dbOpen}>
                        <button type="button" data-tree-item className="tree-database" onClick={() => toggle(key)}>
                          <span aria-hidden="true">{dbOpen ? '▾' : '▸'}</span> <span className="tree-name">{inertText(d.name)}</span>
                        </button>
                        {dbOpen && (
                          <ul role="group">
                            {d.tables.map(tableItem)}
                            {dbPatterns.map((p) => (
                              <li key={`${p.db}:${p.pattern}`} role="treeitem">
                                <button type="button" data-tree-item className="tree-pattern" onClick={() => onSelect({ table: p.table, pattern: p })} title={`${formatCount(p.keys)} keys, ${formatCount(p.persistentKeys)} without TTL`}>
                                  <span className="tree-name mono">{p.pattern}</span>
                                  <span className="tree-count">{formatCount(p.keys)}</span>
                                </button>
                              </li>
                            ))}
                          </ul>
                        )}
                      </li>
                    );
                  })}
                </ul>
              )}
            </li>
          );
        })}
        {visible.length === 0 && <li className="muted small">No table matches “{query}”.</li>}
      </ul>
    </div>
  );
}
