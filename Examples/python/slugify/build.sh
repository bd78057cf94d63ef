#!/bin/sh
# Zips the action: __main__.py at the top of the zip and the textkit package
# beside it. Usage: ./build.sh [output.zip]   (default: ./slugify.zip)
set -eu
out=$(realpath -m "${1:-slugify.zip}")
cd "$(dirname "$0")"
rm -f "$out"
# Python's own zip tool: no `zip` to install. Bytecode caches stay out.
python3 - "$out" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as archive:
    archive.write("__main__.py")
    for folder, subfolders, files in os.walk("textkit"):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        for name in sorted(files):
            archive.write(os.path.join(folder, name))
PY
