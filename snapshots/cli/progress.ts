// Renders pull progress on stderr: one line per event, rates from elapsed time.
import type { PullEvent } from '../engines/types.ts';

export function progressPrinter(stream: NodeJS.WriteStream): (event: PullEvent) => void {
  const started = new Map<string, number>();
  const rate = (key: string, rows: number) => {
    const seconds = (Date.now() - (started.get(key) ?? Date.now())) / 1000;
    return seconds > 0 ? `${Math.round(rows / seconds).toLocaleString('en-US')} rows/s` : '';
  };
  return (event) => {
    switch (event.type) {
      case 'instance-start':
        stream.write(`${event.instance}: connecting (${event.engine})\n`);
        break;
      case 'table-start': {
        started.set(`${event.instance}/${event.table}`, Date.now());
        const estimate = event.estimatedRows === null ? '' : ` (~${event.estimatedRows.toLocaleString('en-US')} rows)`;
        stream.write(`${event.instance}: ${event.table}${estimate}\n`);
        break;
      }
      case 'table-progress': {
        const bytes = event.bytes > 0 ? `, ${(event.bytes / 1048576).toFixed(1)} MiB` : '';
        stream.write(`${event.instance}: ${event.table} ${event.rows.toLocaleString('en-US')} rows${bytes}, ${rate(`${event.instance}/${event.table}`, event.rows)}\n`);
        break;
      }
      case 'table-done':
        stream.write(
          `${event.instance}: ${event.table} done, ${event.rows.toLocaleString('en-US')} rows${event.limited ? ' (limited by --max-rows)' : ''} ${rate(`${event.instance}/${event.table}`, event.rows)}\n`,
        );
        break;
      case 'instance-done':
        stream.write(`${event.instance}: pulled ${event.tables} tables, ${event.rows.toLocaleString('en-US')} rows\n`);
        break;
      case 'instance-failed':
        stream.write(`${event.instance}: FAILED ${event.message}${event.hint ? ` (${event.hint})` : ''}\n`);
        break;
    }
  };
}
