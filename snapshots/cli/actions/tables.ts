// `snapbench tables`: the action, loaded when the command runs.
import { listTables, openSnapshot } from '../../file/reader.ts';
import { tablesText, tablesTsv } from '../../output/textTables.ts';
import { printText } from '../../terminal.ts';
import { warnIfManifestChanged } from './manifestWarning.ts';

export function runTables(file: string, opts: { format: string }): void {
  const db = openSnapshot(file);
  try {
    warnIfManifestChanged(db, file);
    const tables = listTables(db);
    if (opts.format === 'json') process.stdout.write(JSON.stringify(tables, null, 2) + '\n');
    else if (opts.format === 'tsv') printText(process.stdout, tablesTsv(tables));
    else printText(process.stdout, tablesText(tables));
  } finally {
    db.close();
  }
}
