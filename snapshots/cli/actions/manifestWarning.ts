// tables and query: a manifest that no longer matches its root hash is said on stderr before anything is read.
import { readManifest } from '../../file/reader.ts';
import { manifestMismatch, manifestMismatchWarning } from '../../file/manifestCheck.ts';
import { printLine } from '../../terminal.ts';

export function warnIfManifestChanged(db: Parameters<typeof readManifest>[0], file: string): void {
  const mismatch = manifestMismatch(readManifest(db, file));
  if (mismatch) printLine(process.stderr, `snapbench: ${manifestMismatchWarning(file, mismatch)}`);
}
