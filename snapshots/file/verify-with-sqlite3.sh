#!/usr/bin/env bash
# Verifies a Snapbench snapshot with nothing but the stock sqlite3 shell (3.37 or
# later) and coreutils (sha256sum, basenc or xxd), so an auditor need not trust
# our code. It checks what `snapbench verify` checks: the manifest's root hash,
# the schema (every object and column as Snapbench wrote it), every table's
# content hash, SQLite's own integrity check, and, given a public key, an
# Ed25519 signature over the root hash (with openssl).
# Usage: verify-with-sqlite3.sh FILE [TRUSTED_KEY.pub]
#   exit 0 when every check passes; 1 otherwise (each failed check is named).
set -euo pipefail
F=${1:?usage: $0 SNAPSHOT_FILE [TRUSTED_KEY.pub]}
TRUST=${2:-}
[ -f "$F" ] || { echo "$F: no such file"; exit 1; }
# Before sqlite3 opens the file: SQLite also reads a -wal beside it (merged into every query, whatever the
# header says) and rolls a hot -journal back into it, and opening a WAL-mode file creates -wal and -shm files.
# Snapbench files have neither and are never in WAL mode, so any of these stops the check here.
# (SQLite names them after the real path: through a symlink, beside its target.)
for base in "$F" "$(readlink -f -- "$F")"; do
  for side in -wal -journal; do
    if [ -e "$base$side" ] && { [ ! -f "$base$side" ] || [ -s "$base$side" ]; }; then
      echo "$base$side: PRESENT beside the file (SQLite would read it instead of the file's own pages); move it away and verify the file alone"; exit 1
    fi
  done
done
if [ "$(head -c 16 "$F" | tr -d '\000')" != 'SQLite format 3' ]; then echo "$F: not an SQLite file"; exit 1; fi
if [ "$(od -An -tu1 -j18 -N2 "$F" | tr -s ' ')" != ' 1 1' ]; then echo "file header: WAL mode or damaged (bytes 18-19 are not 1 1); not opened"; exit 1; fi
# Read-only, and no function may run from the file's own schema.
q() { sqlite3 -readonly -batch -noheader -cmd 'PRAGMA trusted_schema=OFF' "$F" "$1"; }
# The same with the SQL on standard input: generated statements can be longer than one argument may be.
qin() { sqlite3 -readonly -batch -noheader -cmd 'PRAGMA trusted_schema=OFF' "$F"; }
if command -v basenc >/dev/null; then unhex() { basenc --base16 -d; }; else unhex() { xxd -r -p; }; fi
# Names are printed from hex, with control characters made visible, so a name cannot rewrite the terminal.
name() { printf %s "$1" | unhex | LC_ALL=C tr '\000-\037\177' '?'; }
status=0
M="(SELECT body FROM _snapbench_manifest)"

# 0. Nothing in the file may run code when read: no view, trigger or virtual table (Snapbench never makes one).
#    This is checked first, before any table is read.
code=$(q "SELECT type || ' ' || hex(name) FROM sqlite_master WHERE type IN ('view', 'trigger')
          OR (type = 'table' AND upper(substr(ltrim(sql), 1, 20)) = 'CREATE VIRTUAL TABLE')")
if [ -n "$code" ]; then
  while read -r type hexname; do echo "$type \"$(name "$hexname")\": ADDED (runs code when read; Snapbench never creates one)"; done <<<"$code"
  echo "not read any further: the file holds objects that run code"; exit 1
fi
manifest_columns=$(q "SELECT group_concat(name || ' ' || type || ' ' || hidden, ',') FROM (SELECT * FROM pragma_table_xinfo('_snapbench_manifest') ORDER BY cid)")
if [ "$manifest_columns" != 'body TEXT 0,root_sha256 TEXT 0' ]; then echo "manifest table: CHANGED or missing"; exit 1; fi

# 1. The manifest body hashes to the recorded root hash.
root=$(q "SELECT body FROM _snapbench_manifest" | sha256sum | cut -d' ' -f1)
recorded=$(q "SELECT root_sha256 FROM _snapbench_manifest")
if [ "$root" = "$recorded" ]; then echo "manifest: ok ($root)"; else echo "manifest: CHANGED (body hashes to $root, recorded $recorded)"; status=1; fi

# 2. The schema: every object of sqlite_master (type, name, table, SQL text) is one Snapbench wrote, and
#    nothing is missing. New files record it in the manifest (schema.objects); for files made before that,
#    it is rebuilt from the hashed catalog: the catalog tables as below, each data table from its rows of
#    _snapbench_columns. Signatures and DQ results may be added later, only with the definitions below.
#    Objects are compared as hex, so every byte and every name counts exactly.
read -r -d '' CATALOG_DDL <<'SQL' || true
CREATE TABLE _snapbench_manifest (
  body TEXT NOT NULL,
  root_sha256 TEXT NOT NULL
);
CREATE TABLE _snapbench_instances (
  instance TEXT NOT NULL PRIMARY KEY,
  engine TEXT NOT NULL,
  domain TEXT,
  host TEXT,
  port INTEGER,
  instance_class TEXT,
  allocated_memory_mb INTEGER,
  status TEXT NOT NULL,
  error TEXT,
  hint TEXT,
  consistency TEXT,
  consistency_note TEXT,
  version TEXT,
  started_at TEXT,
  finished_at TEXT,
  tables INTEGER NOT NULL,
  rows INTEGER NOT NULL,
  limited_tables INTEGER NOT NULL
);
CREATE TABLE _snapbench_tables (
  sql_name TEXT NOT NULL PRIMARY KEY,
  table_name TEXT NOT NULL,
  instance TEXT NOT NULL,
  engine TEXT NOT NULL,
  database TEXT NOT NULL,
  schema TEXT,
  source_table TEXT NOT NULL,
  kind TEXT NOT NULL,
  rows INTEGER NOT NULL,
  limited INTEGER NOT NULL,
  estimated_rows INTEGER,
  data_bytes INTEGER,
  index_bytes INTEGER,
  engine_table_type TEXT,
  comment TEXT
);
CREATE TABLE _snapbench_columns (
  table_name TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  column_name TEXT NOT NULL,
  sql_column TEXT NOT NULL,
  declared_type TEXT NOT NULL,
  storage TEXT NOT NULL,
  nullable INTEGER NOT NULL,
  primary_key_ordinal INTEGER,
  default_value TEXT,
  comment TEXT,
  PRIMARY KEY (table_name, ordinal)
);
CREATE TABLE _snapbench_indexes (
  table_name TEXT NOT NULL,
  index_name TEXT NOT NULL,
  is_unique INTEGER NOT NULL,
  is_primary INTEGER NOT NULL,
  columns TEXT NOT NULL
);
CREATE TABLE _snapbench_server_facts (
  instance TEXT NOT NULL,
  category TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT
);
CREATE TABLE _snapbench_redis_patterns (
  instance TEXT NOT NULL,
  db INTEGER NOT NULL,
  pattern TEXT NOT NULL,
  keys INTEGER NOT NULL,
  persistent_keys INTEGER NOT NULL,
  memory_bytes INTEGER,
  persistent_memory_bytes INTEGER,
  types TEXT NOT NULL,
  ttl_persistent INTEGER NOT NULL,
  ttl_under_1m INTEGER NOT NULL,
  ttl_1m_1h INTEGER NOT NULL,
  ttl_1h_1d INTEGER NOT NULL,
  ttl_1d_7d INTEGER NOT NULL,
  ttl_over_7d INTEGER NOT NULL
);
SQL
read -r -d '' ADDED_LATER_DDL <<'SQL' || true
CREATE TABLE IF NOT EXISTS _snapbench_signatures (
  algorithm TEXT NOT NULL,
  key_fingerprint TEXT NOT NULL,
  signer TEXT NOT NULL,
  signed_at TEXT NOT NULL,
  root_sha256 TEXT NOT NULL,
  message TEXT NOT NULL,
  signature BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS _snapbench_dq_runs (
  run_id INTEGER PRIMARY KEY,
  pack TEXT NOT NULL,
  pack_sha256 TEXT NOT NULL,
  pack_json TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  tool_version TEXT NOT NULL,
  snapshot_root_sha256 TEXT NOT NULL,
  rules INTEGER NOT NULL,
  passed INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  warned INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  skipped INTEGER NOT NULL,
  results_sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS _snapbench_dq_results (
  run_id INTEGER NOT NULL,
  ordinal INTEGER NOT NULL,
  rule_id TEXT NOT NULL,
  title TEXT NOT NULL,
  severity TEXT NOT NULL,
  status TEXT NOT NULL,
  count INTEGER,
  total INTEGER,
  metrics TEXT NOT NULL,
  limited INTEGER NOT NULL,
  evidence TEXT NOT NULL,
  evidence_query TEXT
);
SQL
ROW="hex(type) || ' ' || hex(name) || ' ' || hex(tbl_name) || ' ' || coalesce(hex(sql), '-')"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
q "SELECT $ROW FROM sqlite_master" | LC_ALL=C sort >"$work/actual"
sqlite3 -batch -noheader :memory: "$ADDED_LATER_DDL SELECT $ROW FROM sqlite_master" | LC_ALL=C sort >"$work/later"
if [ "$(q "SELECT json_type(body, '\$.schema') FROM _snapbench_manifest")" = object ]; then
  q "SELECT hex(json_extract(value, '\$.type')) || ' ' || hex(json_extract(value, '\$.name')) || ' ' || hex(json_extract(value, '\$.table')) || ' ' ||
            coalesce(hex(json_extract(value, '\$.sql')), '-') FROM json_each($M, '\$.schema.objects')" | LC_ALL=C sort >"$work/expected"
  schema_source="as recorded in the manifest"
else
  sqlite3 -batch -noheader :memory: "$CATALOG_DDL SELECT $ROW FROM sqlite_master" >"$work/expected"
  q "SELECT hex('table') || ' ' || hex(k) || ' ' || hex(k) || ' ' || hex('CREATE TABLE \"' || replace(k, '\"', '\"\"') || '\" (' || coalesce((
       SELECT group_concat(d, ', ') FROM (SELECT rtrim('\"' || replace(sql_column, '\"', '\"\"') || '\" ' || CASE storage
         WHEN 'integer' THEN CASE WHEN declared_type LIKE '%unsigned%' AND declared_type LIKE '%bigint%' THEN '' ELSE 'INTEGER' END
         WHEN 'boolean' THEN 'INTEGER' WHEN 'bit' THEN '' WHEN 'blob' THEN 'BLOB' ELSE 'TEXT' END) AS d
         FROM _snapbench_columns WHERE table_name = k ORDER BY ordinal)), '\"(no columns)\" TEXT') || ')')
     FROM (SELECT key AS k FROM json_each($M, '\$.hashes') WHERE key NOT IN
       ('_snapbench_manifest', '_snapbench_instances', '_snapbench_tables', '_snapbench_columns', '_snapbench_indexes', '_snapbench_server_facts', '_snapbench_redis_patterns'))" >>"$work/expected"
  LC_ALL=C sort -o "$work/expected" "$work/expected"
  schema_source="rebuilt from the catalog (this file predates the recorded schema)"
fi
schema_ok=1
# Lines of sqlite_master that are not expected (nor an allowed later addition), and expected lines not present.
LC_ALL=C comm -23 "$work/actual" "$work/expected" | LC_ALL=C comm -23 - "$work/later" >"$work/extra"
LC_ALL=C comm -13 "$work/actual" "$work/expected" >"$work/missing"
while read -r hextype hexname _; do
  if grep -q "^[0-9A-F]* $hexname " "$work/missing"; then what=CHANGED; else what="ADDED after the snapshot was made"; fi
  echo "$(name "$hextype") \"$(name "$hexname")\": $what (not as Snapbench wrote it)"; status=1; schema_ok=0
done <"$work/extra"
while read -r hextype hexname _; do
  grep -q "^[0-9A-F]* $hexname " "$work/extra" || { echo "$(name "$hextype") \"$(name "$hexname")\": MISSING"; status=1; schema_ok=0; }
done <"$work/missing"
# Each table's column list (name, declared type, hidden/generated flag) as recorded.
if [ "$schema_source" = "as recorded in the manifest" ]; then
  while IFS= read -r hexname; do
    [ -n "$hexname" ] || continue
    echo "table \"$(name "$hexname")\": columns CHANGED (renamed, reordered, added, hidden or generated)"; status=1; schema_ok=0
  done < <(q "SELECT hex(t.key) FROM json_each($M, '\$.schema.columns') AS t WHERE t.value IS NOT
              (SELECT json_group_array(json_array(name, type, hidden)) FROM (SELECT name, type, hidden FROM pragma_table_xinfo(t.key) ORDER BY cid))")
fi
[ $schema_ok = 1 ] && echo "schema: ok ($schema_source)"

# 3. Every table listed in the manifest hashes to its recorded value.
#    value(c) = substr(typeof(c),1,1) ':' length(CAST(c AS BLOB)) ':' CAST(c AS BLOB); values joined by ','; each row + '\n',
#    rows in SQLite's row id order: ORDER BY the first of rowid, _rowid_, oid that no column is named (none: plain scan order).
#    The statement is built by sqlite3 itself (so no name passes through the shell), with the columns in parenthesised
#    groups of 32 (a long chain of || exceeds SQLite's expression depth limit; the bytes are the same).
legacy=$([ "$schema_source" = "as recorded in the manifest" ] && echo 0 || echo 1)
hash_sql() { # $1 = position in the manifest's hashes, $2 = 1 to order by "rowid" as written (older files)
  q "WITH t(k) AS (SELECT key FROM json_each($M, '\$.hashes') LIMIT 1 OFFSET $1),
     cols(cid, c) AS (SELECT cid, '\"' || replace(name, '\"', '\"\"') || '\"' FROM t, pragma_table_info(t.k)),
     parts(g, cid, p) AS (SELECT cid / 32, cid, 'substr(typeof(' || c || '),1,1)||'':''||coalesce(length(CAST(' || c || ' AS BLOB)),0)||'':''||coalesce(CAST(' || c || ' AS BLOB),X'''')' FROM cols),
     groups(g, e) AS (SELECT g, '(' || (SELECT group_concat(p, '||'',''||') FROM (SELECT p FROM parts AS x WHERE x.g = gg.g ORDER BY cid)) || ')'
                      FROM (SELECT DISTINCT g FROM parts) AS gg),
     alias(a) AS (SELECT CASE WHEN $2 THEN 'rowid' ELSE coalesce((SELECT a FROM (SELECT 'rowid' AS a, 1 AS o UNION ALL SELECT '_rowid_', 2 UNION ALL SELECT 'oid', 3)
                   WHERE a NOT IN (SELECT lower(name) FROM t, pragma_table_info(t.k)) ORDER BY o LIMIT 1), '') END)
     SELECT 'SELECT hex(CAST(' || (SELECT group_concat(e, '||'',''||') FROM (SELECT e FROM groups ORDER BY g)) || ' AS BLOB)) || ''0A'' FROM \"'
            || replace(k, '\"', '\"\"') || '\"' || CASE WHEN a = '' THEN '' ELSE ' ORDER BY ' || a END || ';' FROM t, alias"
}
count=$(q "SELECT count(*) FROM json_each($M, '\$.hashes')")
tables_ok=0
for ((i = 0; i < count; i++)); do
  hexname=$(q "SELECT hex(key) FROM json_each($M, '\$.hashes') LIMIT 1 OFFSET $i")
  expected=$(q "SELECT json_extract(value, '\$.sha256') FROM json_each($M, '\$.hashes') LIMIT 1 OFFSET $i")
  if [ "$(q "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND hex(name) = '$hexname'")" != 1 ]; then
    echo "table \"$(name "$hexname")\": MISSING"; status=1; continue
  fi
  actual=$(hash_sql "$i" 0 | qin | tr -d '\n' | unhex | sha256sum | cut -d' ' -f1)
  if [ "$actual" != "$expected" ] && [ "$legacy" = 1 ]; then
    actual=$(hash_sql "$i" 1 | qin | tr -d '\n' | unhex | sha256sum | cut -d' ' -f1)
  fi
  if [ "$actual" = "$expected" ]; then tables_ok=$((tables_ok + 1)); else echo "table \"$(name "$hexname")\": CHANGED"; status=1; fi
done
echo "tables: $tables_ok of $count hashes match"

# 4. The file is its pages and nothing more, with the header values Snapbench writes; and SQLite's own
#    check of its structure (every index agrees with its table, no page is damaged). Databases over 1 GiB
#    (their pages, not the file's size) get quick_check, which skips the index cross-check, to stay fast.
db_bytes=$(q "SELECT (SELECT page_count FROM pragma_page_count) * (SELECT page_size FROM pragma_page_size)")
file_bytes=$(stat -c %s "$F")
if [ "$file_bytes" != "$db_bytes" ]; then echo "file: CHANGED ($((file_bytes - db_bytes)) bytes follow its last page)"; status=1; fi
header=$(q "SELECT (SELECT user_version FROM pragma_user_version) || ' ' || (SELECT application_id FROM pragma_application_id)")
if [ "$header" != '0 0' ]; then echo "file header: CHANGED (user_version and application_id are $header, Snapbench writes 0 0)"; status=1; fi
if [ "$db_bytes" -gt 1073741824 ]; then check=quick_check; else check=integrity_check; fi
#    It evaluates every index expression and CHECK constraint of every row, so on a schema that is not
#    Snapbench's own (named above) it would run the file's code, as slow as it likes: skipped then.
if [ $schema_ok = 1 ]; then
  result=$(q "PRAGMA $check(20)")
  if [ "$check" = quick_check ] && [ "$result" = ok ]; then
    # quick_check does not compare an index with its table; only the small catalog tables have indexes: check those fully.
    while IFS= read -r indexed; do
      [ -n "$indexed" ] || continue
      one=$(q "PRAGMA integrity_check(\"${indexed//\"/\"\"}\")")
      if [ "$one" != ok ]; then result=$one; break; fi
    done < <(q "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'index'")
  fi
  if [ "$result" = ok ]; then echo "$check: ok"; else echo "$check: FAILED: $(head -n1 <<<"$result" | tr -d "\n" | LC_ALL=C tr '\000-\037\177' '?')"; status=1; fi
else
  echo "$check: skipped (the schema is not Snapbench's)"
fi

# 5. With a trusted public key: a signature by that key over the root hash recomputed in step 1.
#    The signed message names the root hash; openssl checks the Ed25519 signature over it.
if [ -n "$TRUST" ]; then
  fingerprint=$(openssl pkey -pubin -in "$TRUST" -outform DER | sha256sum | cut -d' ' -f1)
  valid=0
  if [ "$(q "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_snapbench_signatures'")" = 1 ]; then
    for id in $(q "SELECT rowid FROM _snapbench_signatures WHERE key_fingerprint = '$fingerprint'"); do
      q "SELECT writefile('$work/msg.txt', message), writefile('$work/sig.bin', signature) FROM _snapbench_signatures WHERE rowid = $id" >/dev/null
      if head -n1 "$work/msg.txt" | grep -qx 'snapbench-signature-v1' && grep -qx "root_sha256: $root" "$work/msg.txt" &&
        openssl pkeyutl -verify -pubin -inkey "$TRUST" -rawin -in "$work/msg.txt" -sigfile "$work/sig.bin" >/dev/null; then
        echo "signature: ok (key $fingerprint, $(grep '^signer: ' "$work/msg.txt" | LC_ALL=C tr '\000-\037\177' '?'), $(grep '^signed_at: ' "$work/msg.txt" | LC_ALL=C tr '\000-\037\177' '?'))"; valid=1
      else
        echo "signature: INVALID (key $fingerprint: the message or signature does not match this file's root hash $root)"
      fi
    done
  fi
  if [ $valid = 0 ]; then echo "signature: NO VALID SIGNATURE by key $fingerprint"; status=1; fi
fi
exit $status
