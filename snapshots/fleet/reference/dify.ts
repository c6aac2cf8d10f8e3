// PostgreSQL: the Dify LLM platform (apps, conversations, messages, provider
// credentials with a few plaintext API keys) and the store map.
import { PROVIDERS, type Store } from './catalog.ts';
import { referenceTable as table, type ReferenceTable, type TableDef } from './model.ts';
import { Random } from './random.ts';
import { DAY, formatDateTime, LAUNCH, NOW } from './time.ts';

export interface DifyVolumes {
  conversations: number;
}

const TS = 'timestamp without time zone';
const VARCHAR = 'character varying(255)';
const DIFY = 'aws-luckyus-dify-rw';

const APPS: [name: string, mode: string, description: string][] = [
  ['Store Ops Assistant', 'chat', 'Answers baristas\u2019 questions about opening and closing procedures'],
  ['门店运营助手', 'chat', '门店运营SOP问答（中文）'],
  ['Menu Translator', 'workflow', 'Translates commodity names from Chinese to English'],
  ['Customer Service Bot', 'agent-chat', 'First-line support for app users'],
  ['SOP Q&A', 'chat', 'RAG over the standard operating procedures'],
  ['Demand Forecast Explainer', 'completion', 'Explains replenishment suggestions'],
  ['Coupon Copywriter', 'completion', 'Writes push copy for coupon campaigns'],
  ['Review Summariser', 'workflow', 'Summarises app store reviews weekly'],
  ['Equipment Troubleshooter', 'agent-chat', 'Guides staff through espresso machine errors'],
  ['HR Policy Helper', 'chat', 'Answers questions on the employee handbook'],
  ['Supplier Email Drafter', 'completion', 'Drafts emails to suppliers'],
  ['Data Quality Triage', 'workflow', 'Classifies CyberData task failures'],
];

const QUESTIONS = [
  'How do I recalibrate the grinder after cleaning?',
  'What is the recipe for the Coconut Latte?',
  '生椰拿铁的配方是什么？',
  'A customer says the app charged them twice, what should I do?',
  'Translate 丝绒拿铁 into English for the menu board',
  'Why is the replenishment suggestion for oat milk so high this week?',
  'Write a push notification for the $2 off weekend coupon',
  'The espresso machine shows error E41',
  'How many sick days do part-time baristas get?',
  'Summarise the reviews mentioning long waits',
  '如何处理顾客退款？',
  'Draft a reminder email to the milk supplier about late deliveries',
];

const ANSWERS = [
  'Here are the steps, following SOP 4.2: ...',
  'According to the recipe card: 2 shots of espresso, 150 ml coconut milk, ice.',
  '生椰拿铁：双份浓缩 + 厚椰乳150毫升 + 冰块。',
  'Apologise, check the order in the admin console, and refund the duplicate charge.',
  'Suggested translation: "Velvet Latte".',
  'Oat milk usage rose 18% after the new menu launch; the forecast follows that trend.',
  'Weekend treat: $2 off any drink, today and tomorrow only!',
  'E41 means low water pressure: check the inlet valve and the filter.',
  'Part-time baristas accrue one hour of sick leave per 30 hours worked.',
  'Most long-wait reviews mention the lunch peak at Fulton St.',
  '退款流程：在管理后台找到订单，点击退款，并通知顾客。',
  'Dear supplier, we would like to remind you ...',
];

/** Plaintext keys as some tenants pasted them; the rest are encrypted blobs or near misses. */
function credential(rng: Random, provider: string, index: number): string {
  const encrypted = () => `HYBRID:${rng.bytes(160).toString('base64')}`;
  switch (index) {
    case 0:
      return JSON.stringify({ openai_api_key: `sk-${rng.alnum(48)}`, openai_organization: null });
    case 3:
      return JSON.stringify({ api_key: `sk-${rng.hex(32)}` });
    case 4:
      return `sk-${rng.alnum(48)}`;
    case 7:
      return JSON.stringify({ minimax_api_key: 'sk-short', minimax_group_id: String(rng.int(1e9, 2e9)) });
    case 8:
      // One character short of a key: a near miss.
      return JSON.stringify({ api_key: `sk-${rng.alnum(31)}` });
    case 10:
      return JSON.stringify({ base_url: 'http://10.20.3.14:11434', mode: 'chat' });
    case 11:
      // OpenRouter's format: "sk-" is followed by "or", so not the sk-+32 shape.
      return JSON.stringify({ api_key: `sk-or-v1-${rng.hex(64)}` });
    case 13:
      return JSON.stringify({ api_key: `sk-${rng.alnum(40)}` });
    default:
      return JSON.stringify({ [`${provider}_api_key`]: encrypted() });
  }
}

function appIds(seed: number): { ids: string[]; tenants: string[] } {
  const rng = new Random(seed, 'dify/apps/ids');
  const tenants = [rng.uuid(), rng.uuid()];
  return { ids: APPS.map(() => rng.uuid()), tenants };
}

interface Conversation {
  id: string;
  appIndex: number;
  created: number;
  messages: number;
}

function* conversations(seed: number, count: number): Generator<Conversation> {
  const rng = new Random(seed, 'dify/conversations');
  const start = LAUNCH + 30 * DAY;
  for (let i = 0; i < count; i++) {
    const created = start + Math.floor(((i + rng.next()) / count) * (NOW - start));
    yield { id: rng.uuid(), appIndex: rng.int(0, APPS.length - 1), created, messages: rng.int(1, 6) };
  }
}

export function difyTables(seed: number, v: DifyVolumes): ReferenceTable[] {
  const { ids, tenants } = appIds(seed);
  const def = (name: string, columns: TableDef['columns'], avgRowBytes: number, indexes?: TableDef['indexes']): TableDef => ({
    instance: DIFY,
    engine: 'postgres',
    database: 'dify',
    schema: 'public',
    name,
    columns,
    primaryKey: ['id'],
    indexes,
    avgRowBytes,
  });
  // One user pasted a working key into a chat: a secret in a column nobody checks.
  const leakAt = Math.floor(v.conversations / 2);
  return [
    table(
      def('apps', [
        { name: 'id', type: 'uuid' },
        { name: 'tenant_id', type: 'uuid' },
        { name: 'name', type: VARCHAR },
        { name: 'mode', type: VARCHAR },
        { name: 'description', type: 'text', nullable: true },
        { name: 'enable_site', type: 'boolean' },
        { name: 'created_at', type: TS },
      ], 260),
      APPS.length,
      () => APPS.map(([name, mode, description], i) => [ids[i]!, tenants[i % 2]!, name, mode, description, i % 3 === 0 ? 1 : 0, formatDateTime(LAUNCH + i * 7 * DAY + 36000)]),
    ),
    table(
      def('conversations', [
        { name: 'id', type: 'uuid' },
        { name: 'app_id', type: 'uuid' },
        { name: 'name', type: VARCHAR },
        { name: 'status', type: VARCHAR },
        { name: 'from_source', type: VARCHAR },
        { name: 'created_at', type: TS },
      ], 160, [{ name: 'conversation_app_idx', columns: ['app_id'] }]),
      v.conversations,
      function* () {
        for (const c of conversations(seed, v.conversations)) {
          yield [c.id, ids[c.appIndex]!, QUESTIONS[c.appIndex % QUESTIONS.length]!.slice(0, 40), 'normal', c.appIndex % 4 === 0 ? 'console' : 'api', formatDateTime(c.created)];
        }
      },
    ),
    table(
      def('messages', [
        { name: 'id', type: 'uuid' },
        { name: 'app_id', type: 'uuid' },
        { name: 'conversation_id', type: 'uuid' },
        { name: 'query', type: 'text' },
        { name: 'answer', type: 'text' },
        { name: 'message_tokens', type: 'integer' },
        { name: 'answer_tokens', type: 'integer' },
        { name: 'total_price', type: 'numeric(10,7)' },
        { name: 'currency', type: VARCHAR },
        { name: 'created_at', type: TS },
      ], 420, [{ name: 'message_conversation_id_idx', columns: ['conversation_id'] }]),
      Math.round(v.conversations * 3.5),
      function* () {
        const rng = new Random(seed, 'dify/messages');
        let index = 0;
        for (const c of conversations(seed, v.conversations)) {
          for (let m = 0; m < c.messages; m++) {
            const q = (c.appIndex + m) % QUESTIONS.length;
            const query = index === leakAt && m === 0 ? `The OpenAI node fails with 401, my key is sk-${rng.alnum(48)} — is it expired?` : QUESTIONS[q]!;
            const messageTokens = rng.int(12, 400);
            const answerTokens = rng.int(20, 900);
            // gpt-4o-mini-ish prices, in units of 1e-7 USD.
            const price = messageTokens * 15 + answerTokens * 60;
            yield [rng.uuid(), ids[c.appIndex]!, c.id, query, ANSWERS[q]!, messageTokens, answerTokens, `0.${String(price).padStart(7, '0')}`, 'USD', formatDateTime(c.created + m * rng.int(20, 300))];
          }
          index++;
        }
      },
      true,
    ),
    table(
      def('provider_credentials', [
        { name: 'id', type: 'uuid' },
        { name: 'tenant_id', type: 'uuid' },
        { name: 'provider', type: VARCHAR },
        { name: 'encrypted_config', type: 'text', nullable: true },
        { name: 'is_valid', type: 'boolean' },
        { name: 'created_at', type: TS },
        { name: 'updated_at', type: TS },
      ], 400),
      PROVIDERS.length + 2,
      function* () {
        const rng = new Random(seed, 'dify/provider_credentials');
        const providers = [...PROVIDERS, 'openai', 'deepseek'];
        for (let i = 0; i < providers.length; i++) {
          const created = LAUNCH + rng.int(0, 150) * DAY + rng.int(0, 86399);
          yield [rng.uuid(), tenants[i < PROVIDERS.length ? 0 : 1]!, providers[i]!, credential(rng, providers[i]!, i), i === 8 ? 0 : 1, formatDateTime(created), formatDateTime(created + rng.int(0, 40) * DAY)];
        }
      },
    ),
  ];
}

const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';

/** Standard geohash of a point, `length` characters. */
export function geohash(latitude: number, longitude: number, length = 9): string {
  let latMin = -90, latMax = 90, lonMin = -180, lonMax = 180;
  let out = '';
  let bit = 0;
  let ch = 0;
  let even = true;
  while (out.length < length) {
    if (even) {
      const mid = (lonMin + lonMax) / 2;
      if (longitude >= mid) {
        ch = (ch << 1) | 1;
        lonMin = mid;
      } else {
        ch <<= 1;
        lonMax = mid;
      }
    } else {
      const mid = (latMin + latMax) / 2;
      if (latitude >= mid) {
        ch = (ch << 1) | 1;
        latMin = mid;
      } else {
        ch <<= 1;
        latMax = mid;
      }
    }
    even = !even;
    if (++bit === 5) {
      out += BASE32[ch];
      bit = 0;
      ch = 0;
    }
  }
  return out;
}

export function ilkmapTables(stores: Store[]): ReferenceTable[] {
  return [
    table(
      {
        instance: 'aws-luckyus-pgilkmap-rw',
        engine: 'postgres',
        database: 'ilkmap',
        schema: 'public',
        name: 'store_locations',
        columns: [
          { name: 'shop_id', type: 'integer' },
          { name: 'latitude', type: 'numeric(9,6)' },
          { name: 'longitude', type: 'numeric(9,6)' },
          { name: 'geohash', type: 'character varying(12)' },
        ],
        primaryKey: ['shop_id'],
        indexes: [{ name: 'store_locations_geohash_idx', columns: ['geohash'] }],
        avgRowBytes: 60,
      },
      stores.length,
      () => stores.map((s) => [s.id, s.latitude, s.longitude, geohash(Number(s.latitude), Number(s.longitude))]),
    ),
  ];
}
