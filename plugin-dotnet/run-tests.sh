#!/usr/bin/env bash
# plugin-dotnet/run-tests.sh - the plugin's xunit tests against the real native engine and the
# sandbox KashFlow. Builds the native library (cargo, debug), packages the plugin zips into a scratch
# folder for the package-layout test, compiles the Razor views, renders and checks every view in
# headless Chromium (tests/ViewRender, screenshots in target/screenshots/), then runs dotnet test.
# Prints dotnet test's own summary lines.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
export DOTNET_ROLL_FORWARD=Major DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
cargo build -p kashflow-sync-ffi --quiet
packages="$root/target/plugin-packages"
# both zips carry the Windows DLL when .ci/windows-native has built it (.ci/test does, and sets
# KASHFLOW_REQUIRE_WIN_NATIVE=1); a quick local run without it packages linux-x64 only and says so
linux_only=()
if [ ! -f "$root/target/x86_64-pc-windows-gnu/release/kashflow_sync_native.dll" ] && [ ! -f "$root/target/x86_64-pc-windows-gnu/debug/kashflow_sync_native.dll" ]; then
  [ "${KASHFLOW_REQUIRE_WIN_NATIVE:-}" != 1 ] || { echo "run-tests.sh: no Windows DLL: run bash .ci/windows-native" >&2; exit 1; }
  echo "run-tests.sh: no Windows DLL (bash .ci/windows-native builds it): packaging linux-x64 only" >&2
  linux_only=(--linux-only)
  export KASHFLOW_PACKAGE_LINUX_ONLY=1
fi
bash "$here/package.sh" --profile debug --out "$packages" "${linux_only[@]}"
# the admin views compile (nopCommerce would only find out when a page is opened)
dotnet build "$here/tests/ViewCompileCheck/ViewCompileCheck.csproj" -m:1 --nologo -v quiet >/dev/null
# every view rendered with sample models, checked at 1400 px in headless Chromium (no raw resource keys,
# no sideways overflow, no empty labels or Razor leftovers); screenshots in target/screenshots/
dotnet test "$here/tests/ViewRender/ViewRender.csproj" -m:1 --nologo -v quiet
export KASHFLOW_PACKAGE_DIR="$packages"
dotnet test "$here/tests/Nop.Plugin.Misc.KashFlow.Tests/Nop.Plugin.Misc.KashFlow.Tests.csproj" -m:1 --nologo -v quiet "$@"
