// YAML input (fleet manifests, rule packs, redaction profiles): every problem
// becomes one line naming the source and the line, for the caller to wrap in
// its own error — a syntax error, a tag YAML does not know (which would
// otherwise be a multi-line warning on stderr and the value read as text), and
// an alias bomb (aliases that expand to more than a document needs).
import { parseDocument, type YAMLError } from 'yaml';

export class YamlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'YamlSyntaxError';
  }
}

/** How many alias expansions a document may make; a manifest or pack needs few, a "billion laughs" needs millions. */
const MAX_ALIAS_COUNT = 1000;

function oneLine(source: string, error: YAMLError, what: string): YamlSyntaxError {
  const line = error.linePos?.[0];
  return new YamlSyntaxError(`${source}${line ? ` line ${line.line}` : ''}: ${what}: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
}

export function parseYamlText(text: string, source: string): unknown {
  // parseDocument collects warnings instead of printing them (parse() would emit a YAMLWarning on stderr).
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) throw oneLine(source, document.errors[0]!, 'invalid YAML');
  const warning = document.warnings[0];
  if (warning) {
    const tag = /Unresolved tag: (\S+)/.exec(warning.message)?.[1];
    if (tag) {
      const line = warning.linePos?.[0];
      throw new YamlSyntaxError(`${source}${line ? ` line ${line.line}` : ''}: unknown YAML tag ${tag.replace(/^tag:yaml\.org,2002:/, '!!')}; remove it (plain values need no tag)`);
    }
    throw oneLine(source, warning, 'YAML not accepted');
  }
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (/alias/i.test((error as Error).message)) {
      throw new YamlSyntaxError(`${source}: refused: its YAML aliases (*name) expand to more than ${MAX_ALIAS_COUNT} copies, as an alias bomb does; write the values out`);
    }
    throw new YamlSyntaxError(`${source}: invalid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
}
