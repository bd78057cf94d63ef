#!/bin/bash
# A launcher in the style of the blackbox runtime: runs the action given as
# its argument once per activation and answers its last stdout line.
action="$1"
if [ -n "$__OW_WAIT_FOR_ACK" ]; then echo '{"ok":true}' >&3; fi
while IFS= read -r line; do
  result=$("$action" "$line" | tail -n 1)
  printf '%s\n' "$result" >&3
done
