// YAML input (fleet manifests, rule packs, redaction profiles): a syntax error
// becomes one line naming the source and the line, for the caller to wrap in its own error.
import { parse as parseYaml, YAMLParseError } from 'yaml';

export class YamlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'YamlSyntaxError';
  }
}

export function parseYamlText(text: string, source: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const line = error.linePos?.[0];
      throw new YamlSyntaxError(`${source}${line ? ` line ${line.line}` : ''}: invalid YAML: ${error.message.split('\n')[0]}`);
    }
    throw error;
  }
}
