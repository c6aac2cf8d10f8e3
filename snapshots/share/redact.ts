// What `share` does to values inside a text: secrets are cut out and replaced
// by a marker, e-mail addresses inside longer text get their pseudonym. The
// secret shape is SEC-002's (report-07), so the DQ pack finds none in a shared
// copy; a redaction profile may add more shapes.
import { DEFAULT_SECRET_PATTERN, requiredLiteral } from '../../shared/dq/definitions.ts';
import { REPORT_07 } from '../../shared/dq/report07.ts';
import type { Pseudonymizer } from './pseudonym.ts';
import { linearRegex, type LinearRegex } from '../../shared/dq/regex.ts';

export interface SecretRule {
  /** Rule name as recorded in the manifest: `SEC-002:api-key`, or `secret:<name>` from a profile. */
  rule: string;
  /** What replaces each match: `[redacted:<name>]`. */
  marker: string;
  /** Runs under RE2: linear time whatever the pattern (a profile's pattern is input too). */
  regex: LinearRegex;
  /** A literal every match contains, for a cheap SQL prefilter; null when there is none. */
  literal: string | null;
}

function secretRule(rule: string, name: string, source: string, flags: string): SecretRule {
  return {
    rule,
    marker: `[redacted:${name}]`,
    regex: linearRegex(source, flags),
    literal: flags.includes('i') ? null : requiredLiteral(source),
  };
}

/** SEC-002's own pattern (the built-in pack's, so the two never drift apart). */
export function defaultSecretRule(): SecretRule {
  const rule = REPORT_07.rules.find((r) => r.id === 'SEC-002');
  const source = rule?.check === 'secrets' ? (rule.regex ?? DEFAULT_SECRET_PATTERN) : DEFAULT_SECRET_PATTERN;
  const flags = rule?.check === 'secrets' ? (rule.flags ?? '') : '';
  return secretRule('SEC-002:api-key', 'api-key', source, flags);
}

export function profileSecretRule(name: string, source: string, flags = ''): SecretRule {
  return secretRule(`secret:${name}`, name, source, flags);
}

/**
 * An e-mail address inside a longer text. SEC-001 judges whole values only;
 * this finds the addresses a masked column would not catch ("mail me at ...").
 */
const EMBEDDED_EMAIL = /(?<![A-Za-z0-9._%+'-])[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])/g;

export interface ScrubResult {
  text: string;
  /** Rules that replaced something in this value. */
  rules: string[];
}

/** Replaces every secret (and, with a pseudonymizer, every e-mail address) inside a text. */
export function scrubText(text: string, secrets: readonly SecretRule[], emails: Pseudonymizer | null): ScrubResult {
  const rules: string[] = [];
  let out = text;
  for (const secret of secrets) {
    if (secret.literal !== null && !out.includes(secret.literal)) continue;
    const replaced = secret.regex.replaceAll(out, () => secret.marker);
    if (replaced !== out) {
      rules.push(secret.rule);
      out = replaced;
    }
  }
  if (emails && out.includes('@')) {
    const replaced = out.replace(EMBEDDED_EMAIL, (address) => emails.emailPseudonym(address));
    if (replaced !== out) {
      rules.push(EMAIL_IN_TEXT_RULE);
      out = replaced;
    }
  }
  return { text: out, rules };
}

/** Secrets inside a blob: its bytes read as Latin-1 so every byte maps to one character and back. */
export function scrubBlob(bytes: Buffer, secrets: readonly SecretRule[]): { bytes: Buffer; rules: string[] } {
  const { text, rules } = scrubText(bytes.toString('latin1'), secrets, null);
  return rules.length === 0 ? { bytes, rules } : { bytes: Buffer.from(text, 'latin1'), rules };
}

export const EMAIL_IN_TEXT_RULE = 'email-in-text';
