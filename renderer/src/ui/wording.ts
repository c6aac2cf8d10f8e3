// The engine's messages are shared with the command line, so some of them name
// CLI commands ("create a snapshot with snapbench pull"). In the workbench the
// same advice is said in the workbench's terms; the original stays one click away.

const REPLACEMENTS: [RegExp, string][] = [
  [/"snapbench pull" or "snapbench demo"/g, 'the Pull view, or open the demo snapshot in the Library'],
  [/with "snapbench pull"/g, 'in the Pull view'],
  [/by "snapbench pull"/g, 'by a pull (the Pull view)'],
  [/"snapbench verify[^"]*"/g, '"Verify every table" in the Library'],
  [/run "snapbench verify"( on it)?/g, 'verify it in the Library'],
  [/"snapbench dq pack"/g, 'the built-in report-07 pack (Data quality)'],
  [/"snapbench keys generate(?: --out PREFIX)?"/g, 'a key made with the snapbench keys command'],
  [/\(run "snapbench dq [^"]*"\)/g, '(run the pack in Data quality)'],
  [/ENOENT: no such file or directory(, \w+)?( '[^']*')?/g, 'there is no such file'],
  [/EACCES: permission denied(, \w+)?( '[^']*')?/g, 'permission denied'],
];

/** The text with CLI advice put in the workbench's terms (unchanged when there is none). */
export function forTheWorkbench(text: string): string {
  let out = text;
  for (const [pattern, replacement] of REPLACEMENTS) out = out.replace(pattern, replacement);
  return out;
}
