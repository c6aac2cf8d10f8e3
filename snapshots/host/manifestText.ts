// A fleet manifest's text checked as `snapbench pull` checks a manifest file:
// the YAML, then every instance and field, one line per problem (the CLI's own
// messages). The Pull view calls it as the user types; nothing is written.
import { dirname } from 'node:path';
import type { ManifestCheck } from '../../shared/api/types.ts';
import { FleetError, parseFleet } from '../../shared/model/fleet.ts';
import { parseYamlText, YamlSyntaxError } from '../yamlText.ts';

export function checkManifestText(text: string, path: string | null): ManifestCheck {
  const label = `fleet manifest${path ? ` ${path}` : ''}`;
  const failed = (problems: string[]): ManifestCheck => ({ ok: false, problems, warnings: [], instances: 0, pullable: 0 });
  if (text.trim() === '') return failed(['the manifest is empty: start from the template, or list at least one instance under "instances:"']);
  let document: unknown;
  try {
    document = parseYamlText(text, label);
  } catch (error) {
    if (error instanceof YamlSyntaxError) return failed([error.message]);
    throw error;
  }
  try {
    const fleet = parseFleet(document, label, { baseDir: path ? dirname(path) : process.cwd() });
    return { ok: true, problems: [], warnings: fleet.warnings, instances: fleet.instances.length, pullable: fleet.instances.filter((i) => i.connection).length };
  } catch (error) {
    if (error instanceof FleetError) return failed(error.message.split('\n').filter(Boolean));
    throw error;
  }
}
