// A series of snapshots for the Trends view and the scenarios' measured growth,
// built in a worker: each file is read (and report-07 run in memory where no
// DQ run is stored) without writing anything.
import { fail } from '../../../shared/api/errors.ts';
import type { SeriesView } from '../../../shared/series/types.ts';
import { SnapshotFileError } from '../../file/reader.ts';
import { buildSeries, SeriesError } from '../../series/build.ts';
import type { JobContext, JobSpec } from './types.ts';

export function seriesJob(spec: Extract<JobSpec, { kind: 'series' }>, ctx: JobContext): SeriesView {
  ctx.progress({ phase: 'reading the snapshots', done: 0, total: spec.paths.length, unit: 'steps' });
  try {
    return buildSeries(spec.paths, {
      computeDq: spec.computeDq,
      onProgress: (done, total) => ctx.progress({ phase: 'reading the snapshots', done, total, unit: 'steps' }),
    });
  } catch (error) {
    if (error instanceof SeriesError) fail('bad-request', error.message, error.hint);
    if (error instanceof SnapshotFileError) fail('failed', error.message, error.hint);
    throw error;
  }
}
