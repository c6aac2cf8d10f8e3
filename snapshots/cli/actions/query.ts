// `snapbench query`: the action, loaded when the command runs.
import { openSnapshot, tablesNotReadWhole } from '../../file/reader.ts';
import { runQuery } from '../../query/runQuery.ts';
import { csvSafeFor, printLine } from '../../terminal.ts';
import { watchStatements } from '../guard.ts';
import { warnIfManifestChanged } from './manifestWarning.ts';

export async function runQueryCommand(file: string, sql: string, opts: { format?: 'table' | 'json' | 'csv'; csvSafe?: boolean; timeout: number }): Promise<void> {
  // A statement that runs past --timeout ends the command (cli/guard.ts).
  await watchStatements(opts.timeout, 'query');
  const db = openSnapshot(file);
  try {
    // The DQ definitions (blank, Han, test name, ...) as SQL functions, so evidence queries paste as they are.
    const { registerDqFunctions } = await import('../../dq/functions.ts');
    registerDqFunctions(db);
    warnIfManifestChanged(db, file);
    // A query over a table the pull could not read whole gets what the file holds, and a line saying so.
    for (const t of tablesNotReadWhole(db, sql)) printLine(process.stderr, `snapbench query: warning: ${t.sqlName} was not read whole: ${t.status}${t.statusReason ? ` (${t.statusReason})` : ''}`);
    runQuery(db, sql, opts.format ?? (process.stdout.isTTY ? 'table' : 'json'), (text) => process.stdout.write(text), csvSafeFor(opts.csvSafe));
  } finally {
    db.close();
  }
}
