// Key names → patterns that keep only what names a kind of key. What one name
// can tell (its shape: words versus ids and tokens) is an upper bound; what is
// kept is decided by what varies across the keys of a database: a segment is
// kept only when it recurs across sibling keys and the siblings under its
// prefix take few distinct values. A segment with many distinct values across
// siblings is a variable, whatever its letters (`user:<name>:*`, `用户:<名字>:*`).

const MAX_CONSTANT_LENGTH = 24;
/** A run of this many letters without a word break reads as a token, not a word (`abcdefghijklmnop`). */
const MAX_WORD_PART = 16;

/** Keys a database's decisions are learnt from: the first ones SCAN returns, a random sample of the keyspace (SCAN order follows the keys' hashes). */
export const PATTERN_SAMPLE_KEYS = 50_000;
/** A segment is kept only when at least this many keys carry it before a further segment. */
export const MIN_RECURRENCE = 2;
/** Distinct values under one prefix that can still be an enumeration of kinds (`order:detail`, `order:status`). */
const ENUMERATION_MAX = 64;
const ENUMERATION_MIN = 8;
/** Distinct values tracked under one prefix; beyond this the segment is variable. */
const CHILDREN_TRACKED = 4096;
/** Whole single-segment names (`featureflags`) are kept only when a database has at most this many single-segment names of any shape. */
const BARE_WORDS_MAX = 8;

function isWordCode(c: number): boolean {
  // A-Z, a-z, '_', '-', '.'
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x2d || c === 0x2e;
}

const NON_ASCII_WORD = /^[\p{L}\p{M}_.-]+$/u;
const CASED_WORDS = /^(?:[A-Z]+|[a-z]*(?:[A-Z][a-z]+)*)$/;
const WORD_PARTS = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[^\x00-\x7f]+/g;

/**
 * The shape of a word: letters of any script, '_', '-', '.'; no digit, no
 * other character; 1 to 24 characters; when it mixes upper and lower case,
 * words in camelCase or PascalCase (random mixed-case letters are a token);
 * no run of 16 or more letters without a word break. Anything else (ids,
 * numbers, hex with digits, base62 tokens, hash tags) is variable by shape.
 */
export function isWordSegment(s: string, start = 0, end = s.length): boolean {
  const length = end - start;
  if (length < 1 || length > MAX_CONSTANT_LENGTH) return false;
  let upper = false;
  let lower = false;
  let ascii = true;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) upper = true;
    else if (c >= 0x61 && c <= 0x7a) lower = true;
    if (isWordCode(c)) continue;
    if (c < 0x80) return false;
    ascii = false;
  }
  const text = start === 0 && end === s.length ? s : s.slice(start, end);
  if (!ascii && !NON_ASCII_WORD.test(text)) return false;
  if (upper && lower && !text.split(/[_.-]/).every((part) => CASED_WORDS.test(part))) return false;
  if (length >= MAX_WORD_PART) {
    for (const part of text.match(WORD_PARTS) ?? []) if (part.length >= MAX_WORD_PART) return false;
  }
  return true;
}

function isHexCode(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** `user12345` → `user`: a word followed by a hex/digit tail holding a digit; else null. */
function stemOf(s: string): string | null {
  let i = s.length;
  let digit = false;
  while (i > 0 && isHexCode(s.charCodeAt(i - 1))) {
    i--;
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digit = true;
  }
  return digit && i > 0 && isWordSegment(s, 0, i) ? s.slice(0, i) : null;
}

/** The delimiter a name is split on: ':' when it has one, else '/', else '|'; '.' never splits. */
export function delimiterOf(name: string): string | null {
  if (name.includes(':')) return ':';
  if (name.includes('/')) return '/';
  if (name.includes('|')) return '|';
  return null;
}

/**
 * What a single name allows at most, from its shape alone: the leading run of
 * word-shaped segments before the last one, then `*` (`session:3f9a…` →
 * `session:*`, `user:42:profile` → `user:*`, `42:x` → `*`); a single-segment
 * name kept when word-shaped, else its word stem (`user12345` → `user*`), else
 * `*`. The pattern stored for a key is this or shorter: see KeyPatternLearner.
 */
export function redisKeyPattern(name: string): string {
  const delimiter = delimiterOf(name);
  if (delimiter === null) {
    if (isWordSegment(name)) return name;
    const stem = stemOf(name);
    return stem === null ? '*' : `${stem}*`;
  }
  const d = delimiter.charCodeAt(0);
  let start = 0;
  let kept = 0;
  for (let i = 0; i < name.length; i++) {
    if (name.charCodeAt(i) !== d) continue;
    if (!isWordSegment(name, start, i)) break;
    kept = i;
    start = i + 1;
  }
  return kept === 0 && start === 0 ? '*' : `${name.slice(0, kept)}${delimiter}*`;
}

interface ChildStats {
  keys: number;
  /** Keys where this value is followed by a further segment. */
  nonLast: number;
}

interface PrefixNode {
  /** The node's own key (the prefix with its delimiter), for finding its children's nodes. */
  key: string;
  delimiter: string;
  keys: number;
  /** Next-segment values and their counts; null once too many distinct values were seen. */
  children: Map<string, ChildStats> | null;
  /** After freeze: the next-segment values that are kept. */
  kept: Set<string>;
}

const EMPTY = new Set<string>();

/** The most distinct values siblings under a prefix of `keys` keys may take and still be kinds of key. */
function enumerationLimit(keys: number): number {
  return Math.min(ENUMERATION_MAX, Math.max(ENUMERATION_MIN, Math.floor(Math.sqrt(keys))));
}

/**
 * Learns which segments of a database's key names are kept, from a sample, then
 * gives every key its pattern:
 *
 * - Names are split as in redisKeyPattern; the last segment is always variable.
 * - A segment is kept when it is word-shaped, the leading segments before it
 *   are kept, at least MIN_RECURRENCE sampled keys carry it before a further
 *   segment, and the keys under its prefix take at most min(64, max(8, ⌊√keys⌋))
 *   distinct values there. Names, tokens and ids take many values across
 *   siblings and are never kept, whatever their letters.
 * - Siblings that are followed by the same words are instances, not kinds:
 *   `user:alice:profile` and `user:bob:profile` make `alice` and `bob` variable
 *   (`user:*`) however few users there are. Kinds are followed by ids.
 * - Single-segment names: a word stem (`user*`) is kept when it recurs under the
 *   same rule; a whole word-shaped name (`featureflags`) only when the database
 *   has at most 8 single-segment names of any shape (more are ids or tokens).
 * - Decisions come from the first PATTERN_SAMPLE_KEYS keys; later keys get the
 *   same decisions, and a segment value first seen after the sample is variable.
 *
 * Known limit: a name or letters-only token that recurs under a prefix with at
 * most 8 distinct values (or √keys, up to 64), each followed by ids rather than
 * by shared words (`session:alice:<id>` for a handful of users), cannot be told
 * from a kind of key, and is kept; so is any segment of a database with one
 * such name (`user:alice:profile`, `user:alice:cart` and nothing else).
 */
export class KeyPatternLearner {
  private readonly nodes = new Map<string, PrefixNode>();
  private readonly bareWords = new Set<string>();
  /** Single-segment names seen, of any shape: their siblings. */
  private bareNames = 0;
  private stems: Map<string, number> | null = new Map();
  private stemmed = 0;
  private keptStems: Set<string> = EMPTY;
  private keepBareWords = false;
  private observed = 0;
  private frozen = false;

  constructor(readonly sampleSize = PATTERN_SAMPLE_KEYS) {}

  /** True while the sample is not full: observe() names, then freeze(). */
  get learning(): boolean {
    return !this.frozen && this.observed < this.sampleSize;
  }

  private node(key: string, delimiter: string): PrefixNode {
    let node = this.nodes.get(key);
    if (!node) {
      node = { key, delimiter, keys: 0, children: new Map(), kept: EMPTY };
      this.nodes.set(key, node);
    }
    return node;
  }

  /** The node of the keys that continue `parent` with `value`. */
  private childNode(parent: PrefixNode, value: string): PrefixNode | undefined {
    return this.nodes.get(this.childKey(parent, value));
  }

  private childKey(parent: PrefixNode, value: string): string {
    return parent.key.charCodeAt(0) === 0 ? `${value}${parent.delimiter}` : `${parent.key}${value}${parent.delimiter}`;
  }

  observe(name: string): void {
    if (this.frozen) return;
    this.observed++;
    const delimiter = delimiterOf(name);
    if (delimiter === null) return this.observeBare(name);
    let key = `\u0000${delimiter}`;
    let start = 0;
    for (;;) {
      let end = name.indexOf(delimiter, start);
      const last = end < 0;
      if (last) end = name.length;
      const node = this.node(key, delimiter);
      node.keys++;
      if (node.children === null) return;
      const value = name.slice(start, end);
      let child = node.children.get(value);
      if (!child) {
        if (node.children.size >= CHILDREN_TRACKED) {
          node.children = null;
          return;
        }
        child = { keys: 0, nonLast: 0 };
        node.children.set(value, child);
      }
      child.keys++;
      if (last) return;
      child.nonLast++;
      if (!isWordSegment(value)) return;
      key = name.slice(0, end + 1);
      start = end + 1;
    }
  }

  private observeBare(name: string): void {
    this.bareNames++;
    if (isWordSegment(name)) {
      if (this.bareWords.size <= BARE_WORDS_MAX) this.bareWords.add(name);
      return;
    }
    const stem = stemOf(name);
    if (stem === null || this.stems === null) return;
    this.stemmed++;
    if (!this.stems.has(stem) && this.stems.size >= CHILDREN_TRACKED) {
      this.stems = null;
      return;
    }
    this.stems.set(stem, (this.stems.get(stem) ?? 0) + 1);
  }

  /** Ends learning; from here every name gets its final pattern. */
  freeze(): void {
    if (this.frozen) return;
    this.frozen = true;
    for (const node of this.nodes.values()) {
      if (node.children === null || node.children.size > enumerationLimit(node.keys)) continue;
      const candidates = [...node.children].filter(([value, child]) => child.nonLast >= MIN_RECURRENCE && isWordSegment(value)).map(([value]) => value);
      // Words that follow more than one candidate: those candidates are instances of one thing.
      const followers = new Map<string, string[]>();
      for (const value of candidates) {
        const next = this.childNode(node, value)?.children;
        if (!next) continue;
        for (const word of next.keys()) if (isWordSegment(word)) followers.set(word, [...(followers.get(word) ?? []), value]);
      }
      const instances = new Set([...followers.values()].filter((values) => values.length > 1).flat());
      const kept = new Set(candidates.filter((value) => !instances.has(value)));
      if (kept.size > 0) node.kept = kept;
    }
    for (const node of this.nodes.values()) node.children = null;
    this.keepBareWords = this.bareNames <= BARE_WORDS_MAX;
    if (this.stems !== null && this.stems.size <= enumerationLimit(this.stemmed)) {
      this.keptStems = new Set([...this.stems].filter(([, count]) => count >= MIN_RECURRENCE).map(([stem]) => stem));
    }
    this.stems = null;
  }

  /** The pattern of a name. Freezes first if needed. */
  patternOf(name: string): string {
    if (!this.frozen) this.freeze();
    const delimiter = delimiterOf(name);
    if (delimiter === null) {
      if (isWordSegment(name)) return this.keepBareWords && this.bareWords.has(name) ? name : '*';
      const stem = stemOf(name);
      return stem !== null && this.keptStems.has(stem) ? `${stem}*` : '*';
    }
    let key = `\u0000${delimiter}`;
    let start = 0;
    let keptEnd = -1;
    for (;;) {
      const end = name.indexOf(delimiter, start);
      if (end < 0) break; // the last segment is always variable
      const node = this.nodes.get(key);
      if (!node || !node.kept.has(name.slice(start, end))) break;
      keptEnd = end;
      key = name.slice(0, end + 1);
      start = end + 1;
    }
    return keptEnd < 0 ? '*' : `${name.slice(0, keptEnd)}${delimiter}*`;
  }
}

/** Patterns of a whole set of names at once (the demo, fixtures, tests): learnt from the first PATTERN_SAMPLE_KEYS. */
export function redisKeyPatterns(names: readonly string[]): string[] {
  const learner = new KeyPatternLearner();
  for (const name of names) {
    if (!learner.learning) break;
    learner.observe(name);
  }
  learner.freeze();
  return names.map((name) => learner.patternOf(name));
}
