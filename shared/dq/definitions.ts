// The definitions the rules use (reference-fleet.md, "Definitions used by the
// rules"), as pure functions, so the engine, the UI and the tests agree on what
// "blank", "Han text", "test name", "persistent key" and "e-mail" mean.

/** Code points with the Unicode White_Space property (all are in the BMP). */
export const WHITE_SPACE_CODE_POINTS: readonly number[] = (() => {
  const one = /^\p{White_Space}$/u;
  const out: number[] = [];
  for (let c = 0; c <= 0xffff; c++) if ((c < 0xd800 || c > 0xdfff) && one.test(String.fromCharCode(c))) out.push(c);
  return out;
})();

const BLANK = /^\p{White_Space}*$/u;

/** NULL, or a string that is empty after trimming Unicode white space (U+3000, NBSP included). */
export function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && BLANK.test(value));
}

/**
 * The code point ranges of Unicode script Han (Script=Han, not Script_Extensions:
 * CJK punctuation shared with kana is not Han). Kept as data so SQLite can test
 * them with GLOB in C; a unit test checks them against \p{Script=Han}.
 */
export const HAN_RANGES: readonly (readonly [number, number])[] = [
  [0x2e80, 0x2e99], [0x2e9b, 0x2ef3], [0x2f00, 0x2fd5], [0x3005, 0x3005], [0x3007, 0x3007], [0x3021, 0x3029],
  [0x3038, 0x303b], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xf900, 0xfa6d], [0xfa70, 0xfad9], [0x16fe2, 0x16fe3],
  [0x16ff0, 0x16ff6], [0x20000, 0x2a6df], [0x2a700, 0x2b81d], [0x2b820, 0x2cead], [0x2ceb0, 0x2ebe0], [0x2ebf0, 0x2ee5d],
  [0x2f800, 0x2fa1d], [0x30000, 0x3134a], [0x31350, 0x33479],
];

const scriptPatterns = new Map<string, RegExp>();

/** The regex that finds a character of a Unicode script, or null when the script name is unknown. */
export function scriptPattern(script: string): RegExp | null {
  let pattern = scriptPatterns.get(script);
  if (pattern) return pattern;
  if (!/^[A-Za-z_]+$/.test(script)) return null;
  try {
    pattern = new RegExp(`\\p{Script=${script}}`, 'u');
  } catch {
    return null;
  }
  scriptPatterns.set(script, pattern);
  return pattern;
}

/** True when the text holds at least one character of the script (e.g. Han). */
export function hasScript(value: unknown, script: string): boolean {
  return typeof value === 'string' && (scriptPattern(script)?.test(value) ?? false);
}

/** A test name: `\b(test|iqa\d*)\b`, case-insensitive ("Lab-Test" is one, "Testament Ave" is not). */
export const TEST_NAME_PATTERN = '\\b(test|iqa\\d*)\\b';
export const TEST_NAME_FLAGS = 'i';

/** A Redis key without expiry: PTTL -1. */
export const PERSISTENT_TTL_MS = -1;

/** An API key shaped like OpenAI's: `sk-` and 32 or more letters or digits. */
export const DEFAULT_SECRET_PATTERN = 'sk-[A-Za-z0-9]{32,}';

/**
 * What a secret looks like in a report: its first few characters and its length,
 * never enough to use it (`sk-abcd…(51 chars)`).
 */
export function maskSecret(secret: string): string {
  const keep = Math.min(7, Math.floor(secret.length / 4));
  return `${secret.slice(0, keep)}…(${secret.length} chars)`;
}

const EMAIL = /^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
const INTERNATIONAL_PHONE = /^\+\d[\d\s().-]{5,20}\d$/;
const NANP_PHONE = /^(\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}$/;
const DIGITS_ONLY = /^\d{7,15}$/;
/** Column names that say "phone", which make a bare run of digits count as a phone number. */
const PHONE_COLUMN = /phone|mobile|\btel\b|_tel|tel_|cell/i;

export type PiiKind = 'email' | 'phone';
export const PII_KINDS: readonly PiiKind[] = ['email', 'phone'];

/**
 * The kind of personal data a value looks like. A phone number is a `+` number,
 * a North-American number written with separators, or a bare run of 7–15
 * digits in a column named like a phone (order numbers and dates are not).
 */
export function piiKind(value: unknown, columnName: string): PiiKind | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text.length < 6 || text.length > 254) return null;
  if (text.includes('@')) return EMAIL.test(text) ? 'email' : null;
  if (DIGITS_ONLY.test(text)) return PHONE_COLUMN.test(columnName) ? 'phone' : null;
  if (INTERNATIONAL_PHONE.test(text) || NANP_PHONE.test(text)) {
    const digits = text.replace(/\D/g, '').length;
    return digits >= 7 && digits <= 15 ? 'phone' : null;
  }
  return null;
}

/** The leading dotted number of a version string: "6.0.5", "8.0.35-log" → [8,0,35], "16.2 (Debian)" → [16,2]. */
export function versionParts(version: string | null | undefined): number[] | null {
  const match = /\d+(?:\.\d+)*/.exec(version ?? '');
  return match ? match[0].split('.').map(Number) : null;
}

/** Numeric comparison of versions (7.10 > 7.2); null when the version has no number. */
export function versionBelow(version: string | null | undefined, minimum: string): boolean | null {
  const a = versionParts(version);
  const b = versionParts(minimum);
  if (!a || !b) return null;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

/** A glob (`*`, `?`, `[...]`) as an anchored regex; used for column names and instance filters. */
export function globToRegExp(glob: string, caseInsensitive = false): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) source += '\\[';
      else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith('!') || body.startsWith('^')) body = '^' + body.slice(1);
        source += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
}

export function isGlob(text: string): boolean {
  return /[*?[]/.test(text);
}

/**
 * A literal every match of the regex must contain, so SQLite can skip most
 * values with instr() before the regex runs: the leading run of plain
 * characters ("sk-" for `sk-[A-Za-z0-9]{32,}`). Null when there is none worth
 * using (alternation anywhere, or fewer than two characters).
 */
export function requiredLiteral(source: string): string | null {
  if (source.includes('|')) return null;
  let i = source.startsWith('^') ? 1 : 0;
  let literal = '';
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined || /[A-Za-z0-9]/.test(next)) break; // \d, \b, \1 ... are not literals
      literal += next;
      i += 2;
      continue;
    }
    if ('.[](){}?*+^$'.includes(c)) break;
    literal += c;
    i++;
  }
  // A quantifier after the run makes its last character optional.
  if (i < source.length && '?*{'.includes(source[i]!)) literal = literal.slice(0, -1);
  return literal.length >= 2 ? literal : null;
}

/** A ratio from a number (0.01) or a percentage ("1%"); null when it is neither. */
export function parseRatio(value: number | string): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(value);
  if (!match) return null;
  return match[2] ? Number(match[1]) / 100 : Number(match[1]);
}
