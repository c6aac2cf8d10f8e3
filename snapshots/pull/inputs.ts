// The files a pull reads, so its output can be checked against them: the fleet
// manifest itself and every file the manifest names (TLS CA bundles,
// certificates, keys, known_hosts): any string under a key ending in `_file`,
// or `known_hosts`, wherever it sits in the document.
import { dirname, resolve } from 'node:path';
import type { CommandInput } from '../file/outputPath.ts';
import { parseYamlText } from '../yamlText.ts';

function collect(value: unknown, key: string, into: string[], depth = 0): void {
  if (depth > 20) return;
  if (typeof value === 'string') {
    if (key.endsWith('_file') || key === 'known_hosts') into.push(value);
    return;
  }
  if (Array.isArray(value)) for (const item of value) collect(item, key, into, depth + 1);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) collect(v, k, into, depth + 1);
}

/** The manifest and the files it names (relative ones resolved from the working directory and from the manifest's folder). */
export function fleetInputs(fleetPath: string, text: string, flag = '--fleet'): CommandInput[] {
  const inputs: CommandInput[] = [{ path: fleetPath, role: `fleet manifest (${flag})` }];
  let document: unknown;
  try {
    document = parseYamlText(text, `fleet manifest ${fleetPath}`);
  } catch {
    return inputs; // the manifest's own check reports it
  }
  const named: string[] = [];
  collect(document, '', named);
  for (const path of new Set(named)) {
    const home = process.env.HOME ?? '';
    const expanded = path.startsWith('~/') && home ? resolve(home, path.slice(2)) : path;
    inputs.push({ path: resolve(expanded), role: `file named in the fleet manifest (${path})` });
    inputs.push({ path: resolve(dirname(resolve(fleetPath)), expanded), role: `file named in the fleet manifest (${path})` });
  }
  return inputs;
}
