// An error that ended a command, as the one line (or the lines) the CLI prints
// and its exit code. Loaded only when a command failed: the error classes come
// with the modules that throw them.
import { FleetError } from '../../shared/model/fleet.ts';
import { PullError } from '../engines/types.ts';
import { SnapshotFileError } from '../file/reader.ts';
import { SignatureError } from '../file/signature.ts';
import { OutputPathError } from '../file/outputPath.ts';
import { isDamage } from '../file/damage.ts';
import { QueryRefusedError } from '../query/readOnly.ts';
import { CliError } from '../errors.ts';
import { EXIT_FAILED } from '../exitCodes.ts';

export function describe(error: unknown): { message: string; hint: string | null; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, hint: error.hint, exitCode: error.exitCode };
  if (error instanceof FleetError) return { message: error.message, hint: null, exitCode: EXIT_FAILED };
  if (error instanceof SnapshotFileError || error instanceof PullError || error instanceof QueryRefusedError || error instanceof SignatureError || error instanceof OutputPathError) {
    return { message: error.message, hint: error.hint, exitCode: EXIT_FAILED };
  }
  if (isDamage(error)) return { message: `a snapshot file is damaged (SQLite: ${(error as Error).message})`, hint: '"snapbench verify FILE" names what; ask the sender for a fresh copy', exitCode: EXIT_FAILED };
  return { message: error instanceof Error ? error.message : String(error), hint: 'run again with --debug for details', exitCode: EXIT_FAILED };
}

/** One line per problem only where the error lists problems; any other message is one line, a line break in a name included. */
export function listsProblems(error: unknown): boolean {
  return error instanceof FleetError || (error instanceof CliError && error.multiline);
}
