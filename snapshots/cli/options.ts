// Option parsing and checks shared by the CLI's commands.
import { InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseFleet } from '../../shared/model/fleet.ts';
import { parseYamlText, YamlSyntaxError } from '../yamlText.ts';
import { CliError } from '../errors.ts';

export function positiveInteger(name: string) {
  return (value: string) => {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`${name} must be a whole number of at least 1`);
    return Number(value);
  };
}

export function formatOption(allowed: string[], fallback: string) {
  return new Option('--format <format>', `output format: ${allowed.join(' | ')}`).choices(allowed).default(fallback);
}

/** Reads and validates a fleet manifest file; every problem is one line naming the instance and field. */
export function loadFleetFile(path: string) {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new CliError(`fleet manifest ${path}: cannot be read`, 'check the path given to --fleet');
  }
  let document: unknown;
  try {
    document = parseYamlText(bytes.toString('utf8'), `fleet manifest ${path}`);
  } catch (error) {
    if (error instanceof YamlSyntaxError) throw new CliError(error.message, 'fix the YAML syntax');
    throw error;
  }
  return { fleet: parseFleet(document, `fleet manifest ${path}`, { baseDir: dirname(resolve(path)) }), bytes };
}
