# Run by `./run test`: type checking, API reports, lint, and every package's tests, the store tests against
# SQLite and against the PostgreSQL at 127.0.0.1:5432. Ends with a line `N passed, N failed`.
set -uo pipefail

export CI=true
export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-postgresql://postgres@127.0.0.1:5432/test}"

failed_steps=()
step() {
  local name=$1
  shift
  echo "== $name" >&2
  "$@" || failed_steps+=("$name")
}

report=$(mktemp)
step "type check" yarn tsc
step "api reports" yarn build:api-reports --ci
step "lint" yarn backstage-cli repo lint
step "tests" yarn backstage-cli repo test --json --outputFile="$report" "$@"

node -e '
  const fs = require("fs");
  let r = {};
  try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch {}
  const passed = r.numPassedTests ?? 0;
  const failed = (r.numFailedTests ?? 0) + (r.numRuntimeErrorTestSuites ?? 0);
  console.log(`${passed} passed, ${failed} failed`);
' "$report"
rm -f "$report"

if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "failed: ${failed_steps[*]}" >&2
  exit 1
fi
