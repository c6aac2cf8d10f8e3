#!/usr/bin/env bash
# Verifies a Snapbench snapshot with nothing but the stock sqlite3 shell and
# coreutils (sha256sum, basenc or xxd), so an auditor need not trust our code.
# Usage: verify-with-sqlite3.sh FILE        exit 0 when every hash matches
set -euo pipefail
F=${1:?usage: $0 SNAPSHOT_FILE}
q() { sqlite3 -batch -noheader "$F" "$1"; }
if command -v basenc >/dev/null; then unhex() { basenc --base16 -d; }; else unhex() { xxd -r -p; }; fi
status=0

# 1. The manifest body hashes to the recorded root hash.
root=$(q "SELECT body FROM _snapbench_manifest" | sha256sum | cut -d' ' -f1)
recorded=$(q "SELECT root_sha256 FROM _snapbench_manifest")
if [ "$root" = "$recorded" ]; then echo "manifest: ok ($root)"; else echo "manifest: CHANGED (body hashes to $root, recorded $recorded)"; status=1; fi

# 2. Every table listed in the manifest hashes to its recorded value.
#    value(c) = substr(typeof(c),1,1) ':' length(CAST(c AS BLOB)) ':' CAST(c AS BLOB); values joined by ','; each row + '\n'.
while IFS= read -r table; do
  expected=$(q "SELECT json_extract(body, '\$.hashes.' || json_quote('$(printf %s "$table" | sed "s/'/''/g")') || '.sha256') FROM _snapbench_manifest")
  expr=$(q "SELECT 'CAST(' || group_concat('substr(typeof(' || c || '),1,1)||'':''||coalesce(length(CAST(' || c || ' AS BLOB)),0)||'':''||coalesce(CAST(' || c || ' AS BLOB),X'''')', '||'',''||') || ' AS BLOB)'
            FROM (SELECT '\"' || replace(name, '\"', '\"\"') || '\"' AS c FROM pragma_table_info('$(printf %s "$table" | sed "s/'/''/g")') ORDER BY cid)")
  quoted="\"$(printf %s "$table" | sed 's/"/""/g')\""
  actual=$(q "SELECT hex($expr) || '0A' FROM $quoted ORDER BY rowid" | tr -d '\n' | unhex | sha256sum | cut -d' ' -f1)
  if [ "$actual" = "$expected" ]; then echo "table $quoted: ok"; else echo "table $quoted: CHANGED"; status=1; fi
done < <(q "SELECT key FROM json_each((SELECT body FROM _snapbench_manifest), '\$.hashes')")

# 3. No table was added after the snapshot was made (DQ result tables carry their own hashes).
while IFS= read -r extra; do
  [ -n "$extra" ] || continue
  echo "table \"$extra\": ADDED after the snapshot was made"; status=1
done < <(q "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('_snapbench_manifest', '_snapbench_dq_runs', '_snapbench_dq_results')
            EXCEPT SELECT key FROM json_each((SELECT body FROM _snapbench_manifest), '\$.hashes')")
exit $status
