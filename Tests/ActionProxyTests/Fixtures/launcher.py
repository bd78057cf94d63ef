#!/usr/bin/python3
# A test action that behaves like a language launcher: one JSON line in on
# stdin, one JSON line out on fd 3. What it does depends on value["do"].
import json
import os
import sys
import time

out = os.fdopen(3, "w")
if os.environ.get("__OW_WAIT_FOR_ACK"):
    out.write('{"ok":true}\n')
    out.flush()

count = 0
for line in sys.stdin:
    count += 1
    message = json.loads(line)
    value = message.get("value", {})
    for key, field in message.items():
        if key != "value":
            os.environ["__OW_" + key.upper()] = field if isinstance(field, str) else json.dumps(field)
    do = value.get("do", "echo") if isinstance(value, dict) else "echo"
    print("stdout of activation %d: %s" % (count, json.dumps(value, ensure_ascii=False)))
    print("stderr of activation %d" % count, file=sys.stderr)
    if do == "echo":
        result = value
    elif do == "env":
        result = {"env": dict(os.environ)}
    elif do == "input":
        result = {"line": line, "count": count}
    elif do == "exit":
        sys.stdout.flush()
        sys.exit(value.get("code", 0))
    elif do == "sleep":
        time.sleep(value.get("seconds", 1))
        result = {"slept": value.get("seconds", 1)}
    elif do == "raw":
        sys.stdout.flush()
        sys.stderr.flush()
        out.write(value["text"] + "\n")
        out.flush()
        continue
    else:
        result = {"error": "unknown do: " + do}
    sys.stdout.flush()
    sys.stderr.flush()
    out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
