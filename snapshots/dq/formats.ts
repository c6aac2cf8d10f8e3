// The formats of a DQ report, apart from the renderers (report.ts re-exports
// them), so the command line can offer them without loading the DQ engine.

/** The formats of a DQ report (`dq --format`). */
export const REPORT_FORMATS = ['json', 'html', 'csv', 'text'] as const;
