// PostgreSQL column types → how their values are stored in the snapshot, and the
// per-column decoder codes the COPY text parser (copyText.ts) switches on.
//
// Decisions are keyed on the column's *base* type (domains resolved to what they
// are built on), by pg_type.typname, with typcategory as the fallback. Nothing is
// parsed into a form that could change it: numbers that are not exactly
// representable as a JS number (numeric, money, floats, int8 beyond 2^53-1) stay
// text or become BigInt.
import type { StorageKind } from '../../../shared/model/snapshot.ts';

/**
 * How the COPY parser turns one field's bytes into a value. Plain numbers (not a
 * TypeScript enum) so the parser's hot switch compares against literals.
 */
export const Decode = {
  /** int2, int4, oid: always a safe JS integer. */
  Int: 0,
  /** int8: a number when |v| <= 2^53-1, else a BigInt. */
  BigInt: 1,
  /** ASCII-only text (numbers, dates, uuids): decoded as latin1, which is cheaper and identical for ASCII. */
  Ascii: 2,
  /** Any other text: UTF-8. */
  Utf8: 3,
  /** bool: 't' → 1, 'f' → 0. */
  Bool: 4,
  /** bytea in hex output form (`\\x0a1b...`) → Buffer. */
  Bytea: 5,
} as const;
export type Decode = (typeof Decode)[keyof typeof Decode];

export interface PgTypeRow {
  oid: number;
  typname: string;
  typcategory: string;
  typtype: string;
  typbasetype: number;
}

export interface ColumnType {
  storage: StorageKind;
  decode: Decode;
  /** The base type's name after resolving domains, e.g. `int8`, `_text`, `my_enum`. */
  baseType: string;
}

/** Types whose text output is pure ASCII, so latin1 decoding is exact. */
const ASCII_TEXT_TYPES = new Set(['uuid', 'inet', 'cidr', 'macaddr', 'macaddr8', 'bit', 'varbit', 'pg_lsn', 'tid', 'xid', 'xid8', 'cid']);

const TEMPORAL_TYPES = new Set(['date', 'time', 'timetz', 'timestamp', 'timestamptz', 'interval']);

/** Types created by initdb have oids below this (FirstNormalObjectId); extensions' and users' types are above. */
export const FIRST_NORMAL_OBJECT_ID = 16384;

/**
 * The storage kind and decoder of a base type. `typname` is pg_type.typname of
 * the base type (`int4`, `_int4` for int4[], `numeric`, ...), `typcategory`
 * its pg_type.typcategory, `builtin` whether it is one of the server's own
 * types (oid below FIRST_NORMAL_OBJECT_ID).
 */
export function columnTypeFor(typname: string, typcategory: string, builtin = true): ColumnType {
  const t = (storage: StorageKind, decode: Decode): ColumnType => ({ storage, decode, baseType: typname });
  // A user-defined type may share a built-in's name (an enum called "int8" in
  // schema public): only the built-in types get the special decoders.
  if (!builtin) return t('text', Decode.Utf8);
  switch (typname) {
    case 'int2':
    case 'int4':
    case 'oid':
      return t('integer', Decode.Int);
    case 'int8':
      return t('integer', Decode.BigInt);
    case 'numeric':
      return t('decimal', Decode.Ascii);
    case 'money':
      // Read as money::numeric (the pull's COPY casts it): exact decimal text, not the
      // lc_monetary rendering ("$1,234.57"), which no number cast reads back.
      return t('decimal', Decode.Ascii);
    case 'float4':
    case 'float8':
      return t('float', Decode.Ascii);
    case 'bool':
      return t('boolean', Decode.Bool);
    case 'bytea':
      return t('blob', Decode.Bytea);
    case 'json':
    case 'jsonb':
      return t('json', Decode.Utf8);
  }
  if (TEMPORAL_TYPES.has(typname)) return t('temporal', Decode.Ascii);
  if (ASCII_TEXT_TYPES.has(typname)) return t('text', Decode.Ascii);
  // Everything else — text, varchar, bpchar, name, enums (category E), arrays
  // (category A, kept as PostgreSQL's array literal), ranges, composites, xml,
  // tsvector, geometric types, bit strings, extension types — is UTF-8 text.
  void typcategory;
  return t('text', Decode.Utf8);
}

/**
 * Resolves a (possibly domain) type oid to its base type, following domains over
 * domains, using the pg_type rows fetched by the introspection.
 */
export function resolveBaseType(oid: number, types: Map<number, PgTypeRow>): PgTypeRow | undefined {
  let row = types.get(oid);
  for (let depth = 0; row && row.typtype === 'd' && depth < 64; depth++) row = types.get(row.typbasetype);
  return row;
}
