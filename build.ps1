#!/usr/bin/env pwsh
# build.ps1 - named build steps for KashFlow Sync. Runs on Linux through the local dotnet tool:
#   dotnet tool run pwsh -- ./build.ps1 <task>
# Tasks: bootstrap | build | test | demo | bindings | package | native-windows | test-windows
param([Parameter(Position = 0)][string]$Task = 'build')
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Step([string]$File, [string[]]$Arguments) {
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Bootstrap {
    if ($IsWindows) { Write-Host 'bootstrap: on Windows, use rustup and crates.io; nothing to install' }
    else { Invoke-Step bash @('.ci/bootstrap') }
}

switch ($Task) {
    'bootstrap' { Invoke-Bootstrap }
    'build' {
        Invoke-Bootstrap
        Invoke-Step cargo @('build', '--workspace', '--release')
    }
    'test' {
        if ($IsWindows) { throw 'test: the test script is bash (.ci/test); run it under WSL or Linux' }
        Invoke-Step bash @('.ci/test')
    }
    'demo' {
        Invoke-Bootstrap
        Invoke-Step cargo @('run', '-p', 'kashflow-sync-harness', '--bin', 'kfsync', '--', 'demo')
    }
    'bindings' { Invoke-Step bash @('bindings/generate.sh') }
    'native-windows' {
        # kashflow_sync_native.dll for Windows x64, from Debian packages (see .ci/windows-native)
        if ($IsWindows) { throw 'native-windows: cross-builds on Debian 12; on Windows use rustup: cargo build --release -p kashflow-sync-ffi' }
        Invoke-Bootstrap
        Invoke-Step bash @('.ci/windows-native')
    }
    'test-windows' {
        # the DLL checks and the wine runs (see .ci/windows-test)
        if ($IsWindows) { throw 'test-windows: runs the Windows build under wine on Debian 12' }
        Invoke-Bootstrap
        Invoke-Step bash @('.ci/windows-native')
        Invoke-Step bash @('.ci/windows-test')
    }
    'package' {
        Invoke-Bootstrap
        if (-not $IsWindows) { Invoke-Step bash @('.ci/windows-native') }
        Invoke-Step bash @('plugin-dotnet/package.sh')
    }
    default { throw "unknown task '$Task' (bootstrap, build, test, demo, bindings, package, native-windows, test-windows)" }
}
