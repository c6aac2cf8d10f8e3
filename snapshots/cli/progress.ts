// Renders pull progress on stderr: one line per event, rates from elapsed time.
import type { PullEvent } from '../engines/types.ts';
import { printLine } from '../terminal.ts';

export function progressPrinter(stream: NodeJS.WriteStream): (event: PullEvent) => void {
  const started = new Map<string, number>();
  const rate = (key: string, rows: number) => {
    const seconds = (Date.now() - (started.get(key) ?? Date.now())) / 1000;
    return seconds > 0 ? `${Math.round(rows / seconds).toLocaleString('en-US')} rows/s` : '';
  };
  return (event) => {
    switch (event.type) {
      case 'instance-start':
        printLine(stream, `${event.instance}: connecting (${event.engine})`);
        break;
      case 'table-start': {
        started.set(`${event.instance}/${event.table}`, Date.now());
        const estimate = event.estimatedRows === null ? '' : ` (~${event.estimatedRows.toLocaleString('en-US')} rows)`;
        printLine(stream, `${event.instance}: ${event.table}${estimate}`);
        break;
      }
      case 'table-progress': {
        const bytes = event.bytes > 0 ? `, ${(event.bytes / 1048576).toFixed(1)} MiB` : '';
        printLine(stream, `${event.instance}: ${event.table} ${event.rows.toLocaleString('en-US')} rows${bytes}, ${rate(`${event.instance}/${event.table}`, event.rows)}`);
        break;
      }
      case 'table-done': {
        const note = event.note ? ` (${event.note})` : '';
        if (event.origin === 'carried') {
          printLine(stream, `${event.instance}: ${event.table} carried from the base, ${event.rows.toLocaleString('en-US')} rows, none read${note}`);
        } else if (event.origin === 'appended') {
          const read = event.rows - (event.carriedRows ?? 0);
          printLine(stream, `${event.instance}: ${event.table} appended, ${read.toLocaleString('en-US')} new rows read, ${(event.carriedRows ?? 0).toLocaleString('en-US')} carried from the base ${rate(`${event.instance}/${event.table}`, read)}`);
        } else {
          printLine(stream, `${event.instance}: ${event.table} done, ${event.rows.toLocaleString('en-US')} rows${event.limited ? ' (limited by --max-rows)' : ''} ${rate(`${event.instance}/${event.table}`, event.rows)}${note}`);
        }
        break;
      }
      case 'instance-done':
        printLine(stream, `${event.instance}: pulled ${event.tables} tables, ${event.rows.toLocaleString('en-US')} rows`);
        break;
      case 'instance-failed':
        printLine(stream, `${event.instance}: FAILED ${event.message}${event.hint ? ` (${event.hint})` : ''}`);
        break;
    }
  };
}
