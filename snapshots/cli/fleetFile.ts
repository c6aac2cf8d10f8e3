// Reading the fleet manifest given on the command line (pull, fleet check, dq --pushdown).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseFleet } from '../../shared/model/fleet.ts';
import { parseYamlText, YamlSyntaxError } from '../yamlText.ts';
import { CliError } from '../errors.ts';

/** Reads and validates a fleet manifest file; every problem is one line naming the instance and field. */
export function loadFleetFile(path: string) {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    // fleet check takes the manifest as an argument, pull and dq --pushdown as --fleet: the hint names neither.
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : 'cannot be read';
    throw new CliError(`fleet manifest ${path}: ${why}`, 'check the path of the fleet manifest; "snapbench fleet manifest" prints an example');
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
