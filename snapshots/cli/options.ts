// Option parsing and checks shared by the CLI's commands. Loaded to build the
// command line, so it imports nothing but commander (the fleet manifest is read
// in fleetFile.ts).
import { InvalidArgumentError, Option } from 'commander';

export function positiveInteger(name: string) {
  return (value: string) => {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`${name} must be a whole number of at least 1`);
    return Number(value);
  };
}

export function formatOption(allowed: string[], fallback: string) {
  return new Option('--format <format>', `output format: ${allowed.join(' | ')}`).choices(allowed).default(fallback);
}

export const CSV_SAFE_HELP =
  'CSV: give text cells that a spreadsheet would run as a formula (first character =, +, -, @, tab or CR; plain numbers excepted) a leading apostrophe. Default: on when the CSV goes to a file (--out, or stdout redirected to a file), off when stdout is a terminal or a pipe';

/** --csv-safe and --no-csv-safe (neither given: the default depends on where the CSV goes, see csvSafeFor). */
export function csvSafeOptions(): Option[] {
  return [new Option('--csv-safe', CSV_SAFE_HELP), new Option('--no-csv-safe', 'CSV: write every cell exactly as stored, even one a spreadsheet would run as a formula')];
}
