#!/usr/bin/env bash
# plugin-dotnet/tests/ViewRender/update-screenshots.sh - renders every view, checks it, and writes the
# documented pages (ViewSamples.Documented) to docs/screenshots/ (PNG, 1400 px wide, top 1800 px, each
# under 300 KB). Every page's full screenshot is in target/screenshots/ after any run of the suite.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export DOTNET_ROLL_FORWARD=Major DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 KASHFLOW_UPDATE_SCREENSHOTS=1
# flows-designer.png is written by the plugin suite's FlowsBrowserTests (KASHFLOW_SAVE_SCREENSHOTS=1)
find "$here/../../../docs/screenshots/" -name "*.png" ! -name flows-designer.png -delete
dotnet test "$here/ViewRender.csproj" -m:1 --nologo -v quiet --filter "FullyQualifiedName~The_page_reads"
ls -l "$here/../../../docs/screenshots/"
