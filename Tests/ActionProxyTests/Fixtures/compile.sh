#!/bin/bash
# A stand-in OW_COMPILER: the "source" is a bash body without its #! line.
# A source containing "syntax error" fails to compile with a message.
main="$1"; src="$2"; bin="$3"
if grep -q "syntax error" "$src/exec"; then
  echo "compile.sh: syntax error in $main"
  exit 1
fi
if grep -q "compile forever" "$src/exec"; then
  # A hung build whose helper process holds the output open too.
  sleep 600 &
  sleep 600
fi
if grep -q "print nothing and fail" "$src/exec"; then
  exit 3
fi
{ echo '#!/bin/bash'; echo "# main: $main"; cat "$src/exec"; } > "$bin/exec"
chmod +x "$bin/exec"
if [ -n "$EXEC_ENV_VALUE" ]; then printf '%s\n' "$EXEC_ENV_VALUE" > "$bin/exec.env"; fi
