#!/usr/bin/env bash
# bindings/dotnet/run-tests.sh - the C# tests against the real native library.
# Builds kashflow_sync_native with cargo (debug), then runs the xunit project, whose build copies
# target/debug/libkashflow_sync_native.so to native/<rid>/ next to the test assembly.
# Prints dotnet test's own summary line ("Passed!  - Failed: 0, Passed: N ...").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
cargo build -p kashflow-sync-ffi --quiet
export DOTNET_ROLL_FORWARD=Major DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet test "$here/KashFlow.Native.Tests/KashFlow.Native.Tests.csproj" --nologo -v quiet "$@"
