#!/usr/bin/env bash
# Verifies a Snapbench snapshot with nothing but the stock sqlite3 shell and
# coreutils (sha256sum, basenc or xxd), so an auditor need not trust our code.
# Usage: verify-with-sqlite3.sh FILE [TRUSTED_KEY.pub]
#   exit 0 when every hash matches and, with a key, when the file carries a valid
#   Ed25519 signature by that key over its root hash (checked with openssl).
set -euo pipefail
F=${1:?usage: $0 SNAPSHOT_FILE [TRUSTED_KEY.pub]}
TRUST=${2:-}
q() { sqlite3 -readonly -batch -noheader "$F" "$1"; }
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

# 3. No table was added after the snapshot was made (DQ result tables carry their own hashes;
#    signatures sign the root hash, so they cannot be inside it).
while IFS= read -r extra; do
  [ -n "$extra" ] || continue
  echo "table \"$extra\": ADDED after the snapshot was made"; status=1
done < <(q "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('_snapbench_manifest', '_snapbench_dq_runs', '_snapbench_dq_results', '_snapbench_signatures')
            EXCEPT SELECT key FROM json_each((SELECT body FROM _snapbench_manifest), '\$.hashes')")

# 4. With a trusted public key: a signature by that key over the root hash recomputed in step 1.
#    The signed message names the root hash; openssl checks the Ed25519 signature over it.
if [ -n "$TRUST" ]; then
  fingerprint=$(openssl pkey -pubin -in "$TRUST" -outform DER | sha256sum | cut -d' ' -f1)
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  valid=0
  if [ "$(q "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_snapbench_signatures'")" = 1 ]; then
    for id in $(q "SELECT rowid FROM _snapbench_signatures WHERE key_fingerprint = '$fingerprint'"); do
      q "SELECT writefile('$work/msg.txt', message), writefile('$work/sig.bin', signature) FROM _snapbench_signatures WHERE rowid = $id" >/dev/null
      if head -n1 "$work/msg.txt" | grep -qx 'snapbench-signature-v1' && grep -qx "root_sha256: $root" "$work/msg.txt" &&
        openssl pkeyutl -verify -pubin -inkey "$TRUST" -rawin -in "$work/msg.txt" -sigfile "$work/sig.bin" >/dev/null; then
        echo "signature: ok (key $fingerprint, $(grep '^signer: ' "$work/msg.txt"), $(grep '^signed_at: ' "$work/msg.txt"))"; valid=1
      else
        echo "signature: INVALID (key $fingerprint: the message or signature does not match this file's root hash $root)"
      fi
    done
  fi
  if [ $valid = 0 ]; then echo "signature: NO VALID SIGNATURE by key $fingerprint"; status=1; fi
fi
exit $status
