#!/usr/bin/env bash
# plugin-dotnet/package.sh - the zips that nopCommerce's Admin → Local plugins → "Upload plugin or
# theme" takes: one root folder Misc.KashFlow/ holding plugin.json, the plugin dll, the native layer's
# dll, Views/ and native/<rid>/<library> (never a native file at the plugin root: nopCommerce loads every
# root *.dll as a .NET assembly). One zip per nopCommerce version:
#   artifacts/Misc.KashFlow-4.90.zip   net9.0,  SupportedVersions ["4.90"]
#   artifacts/Misc.KashFlow-5.00.zip   net10.0, SupportedVersions ["5.00"]
# Options: --profile debug|release (cargo profile of the native library; default release)
#          --out DIR (default <repo>/artifacts)
#          --linux-only (no native/win-x64/: for a quick local build without .ci/windows-native)
# Both zips carry native/win-x64/kashflow_sync_native.dll beside native/linux-x64/: the DLL that
# .ci/windows-native builds (target/x86_64-pc-windows-gnu/<profile>/, else its release build), or
# $KASHFLOW_WIN_NATIVE. Without one, packaging stops unless --linux-only is given.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
profile=release
linux_only=0
out="$root/artifacts"
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --linux-only) linux_only=1; shift ;;
    *) echo "package.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$profile" in release|debug) ;; *) echo "package.sh: --profile is debug or release" >&2; exit 2 ;; esac
export DOTNET_ROLL_FORWARD=Major DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

cd "$root"
if [ "$profile" = release ]; then cargo build --release -p kashflow-sync-ffi --quiet; else cargo build -p kashflow-sync-ffi --quiet; fi
so="$root/target/$profile/libkashflow_sync_native.so"
[ -f "$so" ] || { echo "package.sh: $so was not built" >&2; exit 1; }
win="${KASHFLOW_WIN_NATIVE:-$root/target/x86_64-pc-windows-gnu/$profile/kashflow_sync_native.dll}"
[ -f "$win" ] || [ -n "${KASHFLOW_WIN_NATIVE:-}" ] || win="$root/target/x86_64-pc-windows-gnu/release/kashflow_sync_native.dll"
if [ "$linux_only" = 0 ] && [ ! -f "$win" ]; then
  echo "package.sh: $win is missing: build it with bash .ci/windows-native (or build.ps1 native-windows), or pass --linux-only" >&2
  exit 1
fi

mkdir -p "$out"
out="$(cd "$out" && pwd)"
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
project="$here/src/Nop.Plugin.Misc.KashFlow/Nop.Plugin.Misc.KashFlow.csproj"

package() {
  local tfm="$1" version="$2"
  local build="$staging/build-$tfm" dir="$staging/$version/Misc.KashFlow"
  dotnet build "$project" -c Release -f "$tfm" -m:1 --nologo -v quiet \
    -p:KashFlowNativeProfile="$profile" -p:OutDir="$build/" >/dev/null
  mkdir -p "$dir/native/linux-x64"
  cp "$build/plugin.json" "$build/Nop.Plugin.Misc.KashFlow.dll" "$build/Nop.Plugin.Misc.KashFlow.Native.dll" "$dir/"
  cp -r "$build/Views" "$dir/"
  cp -r "$build/Content" "$dir/"
  cp "$so" "$dir/native/linux-x64/"
  if [ "$linux_only" = 0 ]; then mkdir -p "$dir/native/win-x64" && cp "$win" "$dir/native/win-x64/kashflow_sync_native.dll"; fi
  [ -f "$here/src/Nop.Plugin.Misc.KashFlow/logo.png" ] && cp "$here/src/Nop.Plugin.Misc.KashFlow/logo.png" "$dir/"

  # the same checks nopCommerce makes on upload, plus ours
  grep -q "\"SupportedVersions\": \[ \"$version\" \]" "$dir/plugin.json" || { echo "package.sh: plugin.json of $version does not declare it" >&2; exit 1; }
  if find "$dir" -maxdepth 1 -type f \( -name '*.so' -o -name '*.dylib' \) | grep -q .; then echo "package.sh: native library at the plugin root" >&2; exit 1; fi

  local zip="$out/Misc.KashFlow-$version.zip"
  rm -f "$zip"
  (cd "$staging/$version" && zip -qr -X "$zip" Misc.KashFlow)
  echo "package: $zip ($(du -k "$zip" | cut -f1) KiB, $tfm, native $profile, $( [ "$linux_only" = 1 ] && echo linux-x64 || echo linux-x64 + win-x64))"
}

package net9.0 4.90
package net10.0 5.00
