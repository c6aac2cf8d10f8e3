#!/usr/bin/env bash
# Everything CI runs: system packages the tests need, typecheck, lint, then every
# vitest project. Ends with one plain line "N passed, N failed" from vitest's JSON report.
set -uo pipefail
cd "$(dirname "$0")/.."
bash test/helpers/ensure-system-packages.sh || { echo "could not install the database servers the tests need"; exit 1; }
[ -d node_modules ] || npm ci
status=0
npm run --silent typecheck || status=1
npm run --silent lint || status=1
mkdir -p test-results
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=1
node test/summary.js test-results/vitest.json || status=1
exit $status
