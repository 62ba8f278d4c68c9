#!/usr/bin/env bash
# Builds the planner's C ABI (src/Native, NativeAOT) and copies libplanning_native.so beside planning_native.py.
# Needs the .NET SDK and gcc. Usage: bindings/python/build.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/artifacts/native"
dotnet publish "$root/src/Native/Native.csproj" -c Release -r linux-x64 -o "$out" -nologo -v quiet
cp "$out/Planning.Native.so" "$here/libplanning_native.so"
echo "built $here/libplanning_native.so"
