// `key=value` settings as the CLI's --set gives them: a decision by name, a
// price (`price.<key>`) or an assumption (`assumption.<key>`). Each mistake is
// one line naming the key, what is allowed and what to do.
import { ASSUMPTION_KEYS, ASSUMPTION_SPECS, type AssumptionKey, type Assumptions } from './assumptions.ts';
import { DECISION_KEYS, DecisionError, parseDecisionValue, type DecisionKey, type DecisionSettings } from './decisions.ts';
import {
  RESERVED_PAYMENTS,
  RESERVED_TERMS,
  SCALAR_PRICE_KEYS,
  type PriceCatalogue,
  type PriceOverride,
  type ReservedPayment,
  type ReservedTerm,
  type ScalarPriceKey,
} from './prices.ts';

export interface ScenarioSettings {
  decisions: DecisionSettings;
  prices: PriceOverride[];
  assumptions: Partial<Assumptions>;
}

export function emptySettings(): ScenarioSettings {
  return { decisions: {}, prices: [], assumptions: {} };
}

const KEY_HELP = `decisions: ${DECISION_KEYS.join(', ')}; prices: price.<mysql|postgres>.<db class>, price.<cache class>, price.reserved.<rds|elasticache>.<1yr|3yr>.<payment>, price.<${SCALAR_PRICE_KEYS.join('|')}>; assumptions: assumption.<${ASSUMPTION_KEYS.join('|')}>`;

function numberIn(text: string, min: number, max: number): number | null {
  const value = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(value) && value >= min && value <= max ? value : null;
}

/** Parses one `key=value` into `settings` (mutated); throws a DecisionError with a one-line message. */
export function applySetting(settings: ScenarioSettings, text: string, prices: PriceCatalogue): void {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new DecisionError(`--set ${text}: expected KEY=VALUE, e.g. --set redisClusters=28 (${KEY_HELP})`);
  const key = text.slice(0, eq).trim();
  const value = text.slice(eq + 1);
  if ((DECISION_KEYS as readonly string[]).includes(key)) {
    try {
      (settings.decisions as Record<string, unknown>)[key] = parseDecisionValue(key as DecisionKey, value);
    } catch (error) {
      throw new DecisionError(`--set ${text}: ${(error as Error).message}; give a value in that range`);
    }
    return;
  }
  if (key.startsWith('assumption.')) {
    const name = key.slice('assumption.'.length);
    if (!(ASSUMPTION_KEYS as readonly string[]).includes(name)) {
      throw new DecisionError(`--set ${text}: unknown assumption "${name}"; known assumptions: ${ASSUMPTION_KEYS.join(', ')}`);
    }
    const spec = ASSUMPTION_SPECS[name as AssumptionKey];
    const parsed = numberIn(value, spec.min, spec.max);
    if (parsed === null) throw new DecisionError(`--set ${text}: assumption "${name}" must be a number from ${spec.min} to ${spec.max} (${spec.unit})`);
    settings.assumptions[name as AssumptionKey] = parsed;
    return;
  }
  if (key.startsWith('price.')) {
    settings.prices.push(parsePriceSetting(text, key.slice('price.'.length), value, prices));
    return;
  }
  throw new DecisionError(`--set ${text}: unknown key "${key}"; use one of ${KEY_HELP}`);
}

function parsePriceSetting(text: string, name: string, value: string, prices: PriceCatalogue): PriceOverride {
  if ((SCALAR_PRICE_KEYS as readonly string[]).includes(name)) {
    const share = name === 'valkeyDiscount';
    const parsed = numberIn(value, share ? 0 : name === 'multiAzMultiplier' ? 1 : 0, share ? 1 : 1000);
    if (parsed === null) throw new DecisionError(`--set ${text}: price "${name}" must be ${share ? 'a share from 0 to 1' : 'a number of US dollars from 0 to 1000'}`);
    return { kind: 'scalar', key: name as ScalarPriceKey, value: parsed };
  }
  const reserved = /^reserved\.(rds|elasticache)\.([^.]+)\.([^.]+)$/.exec(name);
  if (reserved) {
    const [, service, term, payment] = reserved;
    if (!(RESERVED_TERMS as readonly string[]).includes(term!) || !(RESERVED_PAYMENTS as readonly string[]).includes(payment!)) {
      throw new DecisionError(`--set ${text}: reserved prices are price.reserved.<rds|elasticache>.<${RESERVED_TERMS.join('|')}>.<${RESERVED_PAYMENTS.join('|')}>`);
    }
    const parsed = numberIn(value, 0, 0.95);
    if (parsed === null) throw new DecisionError(`--set ${text}: a reserved discount is a share of the on-demand price from 0 to 0.95`);
    return { kind: 'reserved', service: service as 'rds' | 'elasticache', term: term as ReservedTerm, payment: payment as ReservedPayment, discount: parsed };
  }
  const database = /^(mysql|postgres)\.(db\..+)$/.exec(name);
  const hourly = numberIn(value, 0, 1000);
  if (database) {
    const instanceClass = database[2]!;
    if (!prices.database[instanceClass]) throw new DecisionError(`--set ${text}: unknown class "${instanceClass}"; known: ${Object.keys(prices.database).join(', ')}`);
    if (hourly === null) throw new DecisionError(`--set ${text}: an instance price is US dollars per hour from 0 to 1000`);
    return { kind: 'database', engine: database[1] as 'mysql' | 'postgres', instanceClass, hourly };
  }
  if (name.startsWith('cache.')) {
    if (!prices.cache[name]) throw new DecisionError(`--set ${text}: unknown node class "${name}"; known: ${Object.keys(prices.cache).join(', ')}`);
    if (hourly === null) throw new DecisionError(`--set ${text}: a node price is US dollars per hour from 0 to 1000`);
    return { kind: 'cache', nodeClass: name, hourly };
  }
  throw new DecisionError(
    `--set ${text}: unknown price "${name}"; use price.<mysql|postgres>.<db class>, price.<cache class>, price.reserved.<rds|elasticache>.<term>.<payment> or price.<${SCALAR_PRICE_KEYS.join('|')}>`,
  );
}
