#!/usr/bin/env bash
# bindings/dotnet/run-benchmarks.sh - BenchmarkDotNet figures for the native boundary (not a test).
# Builds the release native library, then runs every benchmark with BenchmarkDotNet's short job.
# Extra arguments go to BenchmarkDotNet (e.g. --filter '*Echo*').
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
cargo build -p kashflow-sync-ffi --release --quiet
export DOTNET_ROLL_FORWARD=Major DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# An environment variable is an MSBuild property: this reaches BenchmarkDotNet's own child builds
# too, so every benchmark process loads target/release/libkashflow_sync_native.so.
export KashFlowNativeProfile=release
cd "$here/KashFlow.Native.Benchmarks"
filter=("--filter" "*")
for a in "$@"; do [ "$a" = "--filter" ] && filter=(); done
dotnet run -c Release -- --job short "${filter[@]}" "$@"
