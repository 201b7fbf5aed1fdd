#!/usr/bin/env bash
# Runs the pinned Bicep CLI (NuGet Azure.Bicep.CommandLine.linux-x64, version in bicep.proj), restoring it
# into .tools/nuget on first use: `infra/tools/bicep.sh build infra/main.bicep --stdout`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
version=0.49.2
packages="$root/.tools/nuget"
bicep="$packages/azure.bicep.commandline.linux-x64/$version/tools/bicep"
if [ ! -x "$bicep" ]; then
  if [ ! -f "$bicep" ]; then
    echo "bicep.sh: restoring Azure.Bicep.CommandLine.linux-x64 $version into .tools/nuget" >&2
    DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet restore "$root/infra/tools/bicep.proj" \
      --packages "$packages" -p:BaseIntermediateOutputPath="$root/.tools/bicep-obj/" --verbosity quiet >&2
  fi
  chmod +x "$bicep"
fi
exec "$bicep" "$@"
