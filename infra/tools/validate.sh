#!/usr/bin/env bash
# `npm run infra:build`: lints infra/main.bicep (and every module it uses) and compiles it to
# infra/dist/main.json with the pinned Bicep CLI. Any diagnostic fails it: bicepconfig.json raises every
# linter rule to error, and a compiler warning (e.g. BCP081, an unknown API version) fails here too.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bicep="$root/infra/tools/bicep.sh"
out="$root/infra/dist"
mkdir -p "$out"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

status=0
"$bicep" lint "$root/infra/main.bicep" >"$log" 2>&1 || status=$?
"$bicep" build "$root/infra/main.bicep" --outfile "$out/main.json" >>"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ] || grep -Eq '(Warning|Error|Info) ' "$log"; then
  cat "$log" >&2
  echo "infra: the Bicep templates have diagnostics (warnings count as errors)" >&2
  exit 1
fi
echo "infra: infra/main.bicep linted and compiled to infra/dist/main.json without a diagnostic"
