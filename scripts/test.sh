# Run by `./run test`: type checking, API reports, lint, every package's tests (the store tests
# against SQLite, the PostgreSQL at 127.0.0.1:5432 and the MySQL or MariaDB at 127.0.0.1:3306), then the end-to-end tests in
# Chromium against the app's production build. Ends with a line `N passed, N failed` that counts
# both kinds of tests.
set -uo pipefail

export CI=true
export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-postgresql://postgres@127.0.0.1:5432/test}"
export BACKSTAGE_TEST_DATABASE_MYSQL8_CONNECTION_STRING="${BACKSTAGE_TEST_DATABASE_MYSQL8_CONNECTION_STRING:-mysql://root@127.0.0.1:3306/test}"

failed_steps=()
step() {
  local name=$1
  shift
  echo "== $name" >&2
  "$@" || failed_steps+=("$name")
}

# Debian's Chromium drives the end-to-end tests; nothing downloads a browser of its own.
ensure_chromium() {
  local chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
  [ -x "$chromium" ] && return 0
  echo "Chromium is missing at $chromium; installing Debian's chromium package" >&2
  local sudo=()
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo=(sudo); fi
  if command -v apt-get >/dev/null 2>&1 &&
    "${sudo[@]}" apt-get update -qq >&2 &&
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq chromium >&2 &&
    [ -x "$chromium" ]; then
    return 0
  fi
  echo "Could not install Chromium. Install it with 'apt-get install chromium' (as root), or set" >&2
  echo "CHROMIUM_PATH to a Chromium or Chrome binary, then run ./run test again." >&2
  return 1
}

end_to_end() {
  ensure_chromium &&
    yarn workspace app build >&2 &&
    yarn playwright test
}

unit_report=$(mktemp)
# The API reports read the declarations the type check writes; an incremental build can print a
# type's members in another order than a fresh one, so type check from scratch as a fresh clone does.
rm -rf dist-types e2e-results
step "type check" yarn tsc
step "api reports" yarn build:api-reports --ci
step "lint" yarn backstage-cli repo lint
step "tests" yarn backstage-cli repo test --json --outputFile="$unit_report" "$@"
step "end-to-end tests" end_to_end

node -e '
  const fs = require("fs");
  const read = file => {
    try { return JSON.parse(fs.readFileSync(file, "utf8")); } catch { return {}; }
  };
  const unit = read(process.argv[1]);
  const e2e = read(process.argv[2]).stats ?? {};
  const passed = (unit.numPassedTests ?? 0) + (e2e.expected ?? 0) + (e2e.flaky ?? 0);
  const failed =
    (unit.numFailedTests ?? 0) + (unit.numRuntimeErrorTestSuites ?? 0) + (e2e.unexpected ?? 0);
  console.log(`unit: ${unit.numPassedTests ?? 0} passed; end-to-end: ${e2e.expected ?? 0} passed`);
  console.log(`${passed} passed, ${failed} failed`);
' "$unit_report" e2e-results/report.json
rm -f "$unit_report"

if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "failed: ${failed_steps[*]}" >&2
  exit 1
fi
