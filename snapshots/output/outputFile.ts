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
  if (!statSync(dir).isDirectory()) throw new CliError(`${flag} ${path}: ${dir} is a file, not a directory`, 'choose a path inside a directory');
  if (existsSync(full) && statSync(full).isDirectory()) throw new CliError(`${flag} ${path}: is a directory`, 'give a file name');
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new CliError(`${flag} ${path}: directory ${dir} is not writable`, 'choose a path you can write to');
  }
  return full;
}

/** Fails before any work when an output directory (created when missing) cannot be made: a part of its path is a file, or it is not writable. */
export function checkOutputDirectory(flag: string, path: string): string {
  const full = resolve(path);
  let existing = full;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) {
    throw new CliError(`${flag} ${path}: ${existing} is a file, not a directory`, existing === full ? 'give a directory (it is created when missing)' : 'choose a path inside a directory');
  }
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new CliError(`${flag} ${path}: directory ${existing} is not writable`, 'choose a path you can write to');
  }
  return full;
}
