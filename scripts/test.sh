#!/usr/bin/env bash
# The one test command (README "Run the tests"; .ci/run calls it).
# Installs what the tests need when it is missing, builds once, starts PostgreSQL for the SQL tests,
# runs every test project and ends with one summary line "tests: N passed, N failed, N skipped".
#
#   scripts/test.sh                    everything
#   scripts/test.sh Weir.Broker.Tests  only the named test projects
#   WEIR_TEST_FILTER='FullyQualifiedName~Codec' scripts/test.sh   a dotnet-test filter
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# shellcheck source=scripts/test-deps.sh
source scripts/test-deps.sh
install_test_dependencies

# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh
start_test_postgres
trap stop_test_postgres EXIT

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build Weir.slnx -c Release -nologo -clp:ErrorsOnly

projects=()
if [[ $# -gt 0 ]]; then
  for name in "$@"; do projects+=("tests/$name/$name.csproj"); done
else
  while IFS= read -r p; do projects+=("$p"); done < <(ls tests/*/*.Tests.csproj | sort)
fi

results="$ROOT/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
status=0
for project in "${projects[@]}"; do
  name=$(basename "$project" .csproj)
  echo "=== $name"
  args=(test "$project" -c Release --no-build -nologo --logger "trx;LogFileName=$name.trx"
        --results-directory "$results" --blame-hang-timeout 10m)
  if [[ -n "${WEIR_TEST_FILTER:-}" ]]; then args+=(--filter "$WEIR_TEST_FILTER"); fi
  if ! dotnet "${args[@]}"; then status=1; fi
done

# One closing line for whoever reads the log: totals over every TRX file.
/usr/bin/python3 - "$results" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    counters = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    if counters is None:
        continue
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
    skipped += int(counters.get("notExecuted", 0))
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
