// `snapbench series FILE... [--format json|csv|text]`: snapshots of one fleet
// side by side, ordered by when they were made, with the growth of every
// table, Redis key pattern and DQ rule. Reads only; writes nothing.
import type { Command } from 'commander';
import { CliError } from '../../errors.ts';
import { csvSafeOptions, formatOption } from '../options.ts';
import { csvSafeFor, printLine, printText } from '../../terminal.ts';

export function registerSeriesCommands(program: Command): void {
  program
    .command('series')
    .description('read snapshots of one fleet as a time series: rows, Redis keys, DQ counts and their least-squares growth')
    .argument('<files...>', 'snapshot files of one fleet (any order; sorted by when each was made)')
    .option('--no-dq', 'do not run report-07 on snapshots without a stored DQ run (their counts are null)')
    .addOption(formatOption(['json', 'csv', 'text'], 'text'))
    .addOption(csvSafeOptions()[0]!)
    .addOption(csvSafeOptions()[1]!)
    .action(async (files: string[], opts: { dq: boolean; format: 'json' | 'csv' | 'text'; csvSafe?: boolean }) => {
      const { buildSeries, seriesJson, SeriesError } = await import('../../series/build.ts');
      const { seriesCsv, seriesText } = await import('../../series/format.ts');
      const { manifestWarningForFile } = await import('../../file/manifestCheck.ts');
      for (const file of files) {
        const warning = manifestWarningForFile(file);
        if (warning) printLine(process.stderr, `snapbench series: ${warning}`);
      }
      let view;
      try {
        view = buildSeries(files, {
          computeDq: opts.dq,
          onProgress: process.stderr.isTTY ? (done, total, file) => printLine(process.stderr, `series: read ${done} of ${total}: ${file}`) : undefined,
        });
      } catch (error) {
        if (error instanceof SeriesError) throw new CliError(error.message, error.hint);
        throw error;
      }
      if (opts.format === 'json') process.stdout.write(JSON.stringify(seriesJson(view), null, 2) + '\n');
      else if (opts.format === 'csv') process.stdout.write(seriesCsv(view, csvSafeFor(opts.csvSafe)));
      else printText(process.stdout, seriesText(view));
    });
}
