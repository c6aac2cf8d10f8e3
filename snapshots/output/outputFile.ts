// Checks an output path before any work, so a command fails at once with one
// line instead of after a long pull or run.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError } from '../errors.ts';

/** Fails before any work when the output file cannot be written; returns the absolute path. */
export function checkOutputFile(flag: string, path: string): string {
  const full = resolve(path);
  const dir = dirname(full);
  if (!existsSync(dir)) throw new CliError(`${flag} ${path}: directory ${dir} does not exist`, 'create it or choose another path');
  if (existsSync(full) && statSync(full).isDirectory()) throw new CliError(`${flag} ${path}: is a directory`, 'give a file name');
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new CliError(`${flag} ${path}: directory ${dir} is not writable`, 'choose a path you can write to');
  }
  return full;
}
