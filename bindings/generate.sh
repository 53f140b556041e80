#!/usr/bin/env bash
# bindings/generate.sh - regenerate the committed bindings from ffi/src:
#   bindings/kashflow_sync_native.h  (cbindgen, config ffi/cbindgen.toml)
#   bindings/dotnet/Nop.Plugin.Misc.KashFlow.Native/NativeMethods.g.cs  (our generator,
#   ffi/codegen/csharp.rs, from that header)
# It runs the bindings test in update mode, then again in check mode (which also compares the
# built library's exports with the C# declarations).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -p kashflow-sync-ffi --quiet
KFS_UPDATE_BINDINGS=1 cargo test -p kashflow-sync-ffi --quiet --test bindings -- header_and_csharp_are_up_to_date
cargo test -p kashflow-sync-ffi --quiet --test bindings
echo "bindings: regenerated bindings/kashflow_sync_native.h and NativeMethods.g.cs"
