#!/bin/sh
# Zips the action: package.json at the top of the zip, its "main" (src/) and
# the `cents` dependency in node_modules/. Usage: ./build.sh [output.zip]
# (default: ./invoice.zip). With real dependencies, run `npm install
# --omit=dev` here first: node_modules/ goes into the zip as it is.
set -eu
out=$(realpath -m "${1:-invoice.zip}")
cd "$(dirname "$0")"
rm -f "$out"
zip -qr "$out" package.json src node_modules
