// Regular expressions from rule packs and redaction profiles run under RE2
// (re2js, pure JavaScript): matching takes time linear in the text, whatever
// the pattern. JavaScript's own engine backtracks, so a pattern like `(a+)+$`
// on a 41-character value runs for minutes; RE2 answers at once. The price is
// RE2's syntax: no backreferences and no lookaround (a pattern using them is
// refused with one line when the pack or profile is read).
import { RE2JS } from 're2js';

/** A compiled pattern with the operations the DQ functions and `share` need. */
export interface LinearRegex {
  readonly source: string;
  readonly flags: string;
  /** True when the pattern matches anywhere in the text. */
  test(text: string): boolean;
  /** The first match, or null. */
  firstMatch(text: string): string | null;
  /** Every match replaced by `replacement(match)`. */
  replaceAll(text: string, replacement: (match: string) => string): string;
}

/** A pattern RE2 cannot compile (a backreference, a lookaround, bad syntax); the message says why. */
export class RegexSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegexSyntaxError';
  }
}

function re2Flags(flags: string): number {
  let out = 0;
  for (const flag of flags) {
    if (flag === 'i') out |= RE2JS.CASE_INSENSITIVE;
    else if (flag === 's') out |= RE2JS.DOTALL;
    else if (flag === 'm') out |= RE2JS.MULTILINE;
    else if (flag === 'u' || flag === 'g' || flag === 'y') continue; // RE2 is always Unicode; g and y only make JavaScript's test() stateful
    else throw new RegexSyntaxError(`unknown flag "${flag}" (use i, m, s or u)`);
  }
  return out;
}

const cache = new Map<string, LinearRegex>();

/** Compiles a pattern (JavaScript-style source and flags i, m, s, u) for RE2; throws RegexSyntaxError when RE2 cannot run it. */
export function linearRegex(source: string, flags = ''): LinearRegex {
  const key = `${flags}/${source}`;
  const cached = cache.get(key);
  if (cached) return cached;
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(RE2JS.translateRegExp(source), re2Flags(flags));
  } catch (error) {
    if (error instanceof RegexSyntaxError) throw error;
    const message = (error as Error).message;
    throw new RegexSyntaxError(/backreference|lookahead|lookbehind|\(\?[=!<]|\\[1-9]/i.test(message) || /\(\?[=!<]|\\[1-9]/.test(source)
      ? `${message} (patterns run under RE2, which has no backreferences or lookaround, so that matching time stays linear)`
      : message);
  }
  const regex: LinearRegex = {
    source,
    flags,
    test: (text) => compiled.test(text),
    firstMatch: (text) => {
      const matcher = compiled.matcher(text);
      return matcher.find() ? matcher.group() : null;
    },
    replaceAll: (text, replacement) => compiled.matcher(text).replaceAll((match: string) => replacement(match)),
  };
  if (cache.size > 1000) cache.clear();
  cache.set(key, regex);
  return regex;
}
