// The workbench's data work, run in worker threads (pool.ts) so a slow scan
// never stalls the host: grid pages, counts, column profiles, SQL, exports,
// DQ runs and verification, one module per kind under jobs/. Each job gets
// plain data and returns plain data; progress and export bytes go out through
// the context.
import { countJob } from './jobs/count.ts';
import { dqJob, verifyJob } from './jobs/dq.ts';
import { dqReportJob, exportJob } from './jobs/export.ts';
import { facetJob } from './jobs/facet.ts';
import { pageJob } from './jobs/page.ts';
import { profileJob } from './jobs/profile.ts';
import { seriesJob } from './jobs/series.ts';
import { prepareJob, sqlJob } from './jobs/sql.ts';
import type { JobContext, JobSpec } from './jobs/types.ts';

export type { DqJobResult, ExportJobResult, ExportSourceSpec, JobContext, JobSpec, SqlJobResult } from './jobs/types.ts';

/** Runs one job by kind. */
export async function runJob(spec: JobSpec, ctx: JobContext): Promise<unknown> {
  switch (spec.kind) {
    case 'page':
      return pageJob(spec, ctx);
    case 'count':
      return countJob(spec, ctx);
    case 'profile':
      return profileJob(spec, ctx);
    case 'facet':
      return facetJob(spec, ctx);
    case 'sql':
      return sqlJob(spec, ctx);
    case 'prepare':
      return prepareJob(spec);
    case 'export':
      return exportJob(spec, ctx);
    case 'dq-report':
      return dqReportJob(spec, ctx);
    case 'dq':
      return dqJob(spec, ctx);
    case 'verify':
      return verifyJob(spec, ctx);
    case 'series':
      return seriesJob(spec, ctx);
  }
}
