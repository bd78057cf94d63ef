#!/bin/bash
# Echoes every activation line back as its result and logs one line per stream.
while IFS= read -r line; do
  echo "echo.sh stdout"
  echo "echo.sh stderr" >&2
  printf '%s\n' "$line" >&3
done
