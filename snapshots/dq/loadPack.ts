// Reads a rule pack: a built-in one by name, or a YAML file validated at the edge.
import { readFileSync, statSync } from 'node:fs';
import { stringify as stringifyYaml } from 'yaml';
import { parseYamlText, YamlSyntaxError } from '../yamlText.ts';
import { DqPackError, parsePack, type RulePack } from '../../shared/dq/pack.ts';
import { BUILT_IN_PACKS, REPORT_07_DOCUMENT } from '../../shared/dq/report07.ts';

export const DEFAULT_PACK = 'report-07';

/** `report-07` (built in) or the path of a YAML pack. Throws DqPackError with one line per problem. */
export function loadPack(nameOrPath: string | undefined): RulePack {
  const name = nameOrPath ?? DEFAULT_PACK;
  const builtIn = BUILT_IN_PACKS[name];
  if (builtIn) return builtIn;
  let text: string;
  try {
    if (statSync(name).isDirectory()) throw new Error('directory');
    text = readFileSync(name, 'utf8');
  } catch {
    throw new DqPackError([`pack ${name}: cannot be read (give a YAML file, or a built-in pack: ${Object.keys(BUILT_IN_PACKS).join(', ')})`]);
  }
  return parsePackYaml(text, `pack ${name}`);
}

/** A pack from YAML text (a file's, or one sent by the UI); YAML errors name the line. */
export function parsePackYaml(text: string, source = 'pack'): RulePack {
  let document: unknown;
  try {
    document = parseYamlText(text, source);
  } catch (error) {
    if (error instanceof YamlSyntaxError) throw new DqPackError([error.message]);
    throw error;
  }
  return parsePack(document, source);
}

/** The built-in pack as YAML, a starting point for a custom pack. */
export function builtInPackYaml(): string {
  return `# The built-in pack report-07. Copy it, edit it, run it with: snapbench dq FILE --pack my-pack.yaml\n${stringifyYaml(REPORT_07_DOCUMENT, { lineWidth: 0 })}`;
}
