// tables and query: a manifest that no longer matches its root hash is said on stderr before anything is read.
import { readManifest } from '../../file/reader.ts';
import { manifestWarning } from '../../file/manifestCheck.ts';
import { printLine } from '../../terminal.ts';

export function warnIfManifestChanged(db: Parameters<typeof readManifest>[0], file: string): void {
  const warning = manifestWarning(file, readManifest(db, file));
  if (warning) printLine(process.stderr, `snapbench: ${warning}`);
}
