// Secrets inside values: SEC-002's shape is cut out wherever it appears (also
// inside JSON and prose), near misses are left alone, e-mail addresses inside
// text get the pseudonym of the whole address, and blobs keep every other byte.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SECRET_PATTERN } from '../../shared/dq/definitions.ts';
import { createPseudonymizer } from '../../snapshots/share/pseudonym.ts';
import { defaultSecretRule, profileSecretRule, scrubBlob, scrubText } from '../../snapshots/share/redact.ts';

const KEY = 'sk-' + 'A1b2C3d4'.repeat(6);
const rules = [defaultSecretRule()];

describe('secrets', () => {
  it('use the pattern of report-07 SEC-002', () => {
    expect(rules[0]!.regex.source).toBe(DEFAULT_SECRET_PATTERN);
    expect(rules[0]!.rule).toBe('SEC-002:api-key');
  });

  it('are replaced by a marker wherever they are, every one of them', () => {
    expect(scrubText(KEY, rules, null)).toEqual({ text: '[redacted:api-key]', rules: ['SEC-002:api-key'] });
    expect(scrubText(JSON.stringify({ api_key: KEY, org: null }), rules, null).text).toBe('{"api_key":"[redacted:api-key]","org":null}');
    const prose = `my key is ${KEY} — and the old one ${KEY.replace('A', 'Z')}, expired?`;
    expect(scrubText(prose, rules, null).text).toBe('my key is [redacted:api-key] — and the old one [redacted:api-key], expired?');
  });

  it('leave near misses and other text unchanged', () => {
    for (const text of ['sk-short', 'sk-' + 'a'.repeat(31), 'sk-or-v1-' + 'ab'.repeat(32), 'no secret here']) {
      expect(scrubText(text, rules, null)).toEqual({ text, rules: [] });
    }
  });

  it('of a profile are replaced by their own marker', () => {
    const openrouter = 'sk-or-v1-' + 'ab'.repeat(32);
    const result = scrubText(`{"api_key":"${openrouter}"}`, [...rules, profileSecretRule('openrouter-key', 'sk-or-v1-[0-9a-f]{64}')], null);
    expect(result).toEqual({ text: '{"api_key":"[redacted:openrouter-key]"}', rules: ['secret:openrouter-key'] });
  });

  it('inside a blob are replaced and every other byte is kept', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0x00, 0xc3]), Buffer.from(KEY), Buffer.from([0x80, 0x01])]);
    const { bytes: out, rules: found } = scrubBlob(bytes, rules);
    expect(found).toEqual(['SEC-002:api-key']);
    expect(out).toEqual(Buffer.concat([Buffer.from([0xff, 0x00, 0xc3]), Buffer.from('[redacted:api-key]'), Buffer.from([0x80, 0x01])]));
  });
});

describe('e-mail addresses inside text', () => {
  const pseudonyms = createPseudonymizer(Buffer.from('k'.repeat(32)));

  it('get the pseudonym the whole address gets, so they still match the masked column', () => {
    const result = scrubText('Please reply to jane.doe@gmail.com.', rules, pseudonyms);
    expect(result.rules).toEqual(['email-in-text']);
    expect(result.text).toBe(`Please reply to ${pseudonyms.emailPseudonym('jane.doe@gmail.com')}.`);
    expect(result.text).not.toContain('jane.doe');
  });

  it('are left alone without a pseudonymizer (catalog tables) and when there is none', () => {
    expect(scrubText('mail jane@x.org', rules, null).rules).toEqual([]);
    expect(scrubText('@mention and a@b', rules, pseudonyms).rules).toEqual([]);
  });
});
