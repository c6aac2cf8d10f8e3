// `snapbench export FILE --format parquet|arrow --out DIR [--tables GLOB,...]`:
// a snapshot as Parquet or Arrow IPC files for Spark, Trino, Doris and DuckDB.
// The exporter (and its WebAssembly Parquet writer) loads only when it runs.
import { countText } from '../../../shared/text/layout.ts';
import { printLine } from '../../terminal.ts';
import { Option, type Command } from 'commander';
import { CliError } from '../../errors.ts';

export function registerExportCommands(program: Command): void {
  program
    .command('export')
    .description('write a snapshot as Parquet or Arrow IPC files, one per table, with _snapbench_export.json')
    .argument('<file>', 'snapshot file')
    .addOption(new Option('--format <format>', 'file format: parquet | arrow').choices(['parquet', 'arrow']).default('parquet'))
    .requiredOption('--out <dir>', 'directory to write (new, empty, or holding an earlier export, which is replaced)')
    .option('--tables <globs>', 'comma-separated tables to export (t_order, db.t_order, instance/db/t_*); default all')
    .option('--progress', 'print each table as it is written on stderr')
    .action(async (file: string, opts: { format: 'parquet' | 'arrow'; out: string; tables?: string; progress?: boolean }) => {
      const { exportSnapshot, ExportError } = await import('../../export/export.ts');
      const { ExportValueError } = await import('../../export/batch.ts');
      const started = performance.now();
      try {
        const manifest = await exportSnapshot({
          file,
          out: opts.out,
          format: opts.format,
          tables: opts.tables ? opts.tables.split(',').map((s) => s.trim()).filter(Boolean) : null,
          onTable: opts.progress || process.stderr.isTTY ? (f) => printLine(process.stderr, `${f.path}: ${f.rows.toLocaleString('en-US')} rows, ${(f.bytes / 1048576).toFixed(1)} MiB`) : undefined,
        });
        const rows = manifest.files.filter((f) => f.kind !== 'catalog').reduce((n, f) => n + f.rows, 0);
        const text = manifest.files.reduce((n, f) => n + f.keptAsText.length, 0);
        process.stderr.write(
          `snapbench export: wrote ${manifest.files.length} ${opts.format} files (${manifest.files.filter((f) => f.kind !== 'catalog').length} tables, ${rows.toLocaleString('en-US')} rows) to ${opts.out} in ${((performance.now() - started) / 1000).toFixed(1)} s${text ? `; ${countText(text, 'column', 'columns')} kept as text, listed in _snapbench_export.json` : ''}\n`,
        );
      } catch (error) {
        if (error instanceof ExportError || error instanceof ExportValueError) throw new CliError(error.message, (error as { hint?: string | null }).hint ?? null);
        throw error;
      }
    });
}
