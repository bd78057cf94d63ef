#!/usr/bin/python3
# A launcher that serves activations concurrently: it acks with
# "concurrent": true, then reads framed lines "<id> <json>" and answers
# "<id> <json>" from a thread per activation, in whatever order they finish.
import json
import os
import sys
import threading
import time

out = os.fdopen(3, "w")
lock = threading.Lock()


def answer(frame_id, text):
    with lock:
        out.write("%s %s\n" % (frame_id, text))
        out.flush()


def serve(frame_id, body):
    value = json.loads(body).get("value", {})
    time.sleep(value.get("sleep", 0))
    if value.get("stray"):
        answer(999999, '{"stray":true}')
    answer(frame_id, json.dumps({"n": value.get("n")}))


out.write('{"ok":true,"concurrent":true}\n')
out.flush()
for line in sys.stdin:
    frame_id, _, body = line.partition(" ")
    threading.Thread(target=serve, args=(frame_id, body)).start()
