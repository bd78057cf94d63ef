#!/bin/bash
# A stand-in OW_COMPILER for jars: with OW_SAVE_JAR the zip arrives whole.
main="$1"; src="$2"; bin="$3"
if [ ! -f "$src/$OW_SAVE_JAR" ]; then echo "no $OW_SAVE_JAR in $src: $(ls "$src")"; exit 1; fi
size=$(stat -c %s "$src/$OW_SAVE_JAR")
printf '#!/bin/sh\nwhile read -r l; do echo "{\\"jar_bytes\\":%s,\\"main\\":\\"%s\\"}" >&3; done\n' "$size" "$main" > "$bin/exec"
chmod +x "$bin/exec"
