#!/usr/bin/python3
"""A large download on one stream while other streams of the same connection make small requests.

usage: h2download.py PORT BIG_PATH BIG_SIZE SMALL_PATH SMALL_BODY

The server's BIG_PATH answers BIG_SIZE bytes where byte i is (i % 1048576) % 251 (one 1 MiB buffer sent again and
again); SMALL_PATH answers SMALL_BODY. Two phases, one connection each; prints one JSON line:

"concurrent": the big stream and the connection have their windows reopened as data is read; every 4 MiB of the big
  body one small request is sent. Reports the big body's size and whether it matched, each small request's outcome,
  and how many small ones completed while the big one was still going (a figure, not a verdict: it depends on timing).
"stalled": the big stream gets a 64 KiB window that the client never reopens (it stops reading that stream), while
  the connection window stays open. 50 small requests are then made one after the other; each must complete. Then
  the stalled stream is cancelled (RST_STREAM) and one more small request is made.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2wire import *  # noqa: E402,F401,F403

CHUNK = 1 << 20
PATTERN = bytes((i % 251) for i in range(CHUNK))
TIMEOUT = 120.0


def matches(offset, data):
    """Whether data is the expected body from offset on."""
    at = 0
    while at < len(data):
        start = (offset + at) % CHUNK
        n = min(len(data) - at, CHUNK - start)
        if data[at:at + n] != PATTERN[start:start + n]:
            return False
        at += n
    return True


class Small:
    def __init__(self, stream):
        self.stream, self.status, self.body, self.done, self.reset = stream, None, b"", False, None


def concurrent(port, big_path, big_size, small_path, small_body):
    c = Connection(port)
    c.start([(SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20), (SETTINGS_ENABLE_PUSH, 0)])
    c.send(window_update(0, (1 << 30)))
    c.send(c.headers(1, request_headers("GET", big_path, port)))
    big = {"status": None, "bytes": 0, "intact": True, "done": False, "reset": None}
    smalls, next_stream, next_small_at = {}, 3, 1 << 20
    completed_while_big_running = 0
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if big["done"] and all(s.done or s.reset for s in smalls.values()):
            break
        f = c.next_frame(deadline - time.monotonic())
        if f is None:
            break
        c.answer(f)
        if f.kind == HEADERS:
            status = dict(c.decode_headers(f)).get(":status")
            if f.stream == 1:
                big["status"] = status
            elif f.stream in smalls:
                smalls[f.stream].status = status
        elif f.kind == DATA:
            payload = c.data_payload(f)
            if f.payload:
                c.send(window_update(0, len(f.payload)) + window_update(f.stream, len(f.payload)))
            if f.stream == 1:
                if big["intact"] and not matches(big["bytes"], payload):
                    big["intact"] = False
                big["bytes"] += len(payload)
                while big["bytes"] >= next_small_at and next_small_at < big_size:
                    c.send(c.headers(next_stream, request_headers("GET", small_path, port)))
                    smalls[next_stream] = Small(next_stream)
                    next_stream += 2
                    next_small_at += 4 << 20
            elif f.stream in smalls:
                smalls[f.stream].body += payload
        elif f.kind == RST_STREAM:
            if f.stream == 1:
                big["reset"] = error_name(f.error_code())
            elif f.stream in smalls:
                smalls[f.stream].reset = error_name(f.error_code())
        elif f.kind == GOAWAY:
            break
        if f.kind in (HEADERS, DATA) and f.flags & END_STREAM:
            if f.stream == 1:
                big["done"] = True
            elif f.stream in smalls:
                smalls[f.stream].done = True
                if not big["done"]:
                    completed_while_big_running += 1
    c.close()
    ok = [s for s in smalls.values() if s.done and s.status == "200" and s.body == small_body]
    return {
        "big": big,
        "small_sent": len(smalls),
        "small_ok": len(ok),
        "small_bad": ["stream %d: status %s, body %r, reset %s" % (s.stream, s.status, s.body[:40], s.reset)
                      for s in smalls.values() if s not in ok][:10],
        "small_completed_while_big_running": completed_while_big_running,
        "goaway": c.goaways[0] if c.goaways else None,
        "closed": c.closed,
    }


def stalled(port, big_path, small_path, small_body):
    c = Connection(port)
    c.start([(SETTINGS_INITIAL_WINDOW_SIZE, 65536), (SETTINGS_ENABLE_PUSH, 0)])
    c.send(window_update(0, (1 << 30)))
    c.send(c.headers(1, request_headers("GET", big_path, port)))
    big = {"status": None, "bytes": 0, "reset": None, "done": False}
    results = []

    def run_small(stream, timeout=30.0):
        c.send(c.headers(stream, request_headers("GET", small_path, port)))
        s = Small(stream)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not (s.done or s.reset):
            f = c.next_frame(deadline - time.monotonic())
            if f is None:
                break
            c.answer(f)
            if f.kind == HEADERS:
                status = dict(c.decode_headers(f)).get(":status")
                if f.stream == stream:
                    s.status = status
                elif f.stream == 1:
                    big["status"] = status
            elif f.kind == DATA:
                payload = c.data_payload(f)
                if f.payload:
                    # The connection window is always reopened; the big stream's own window never is.
                    c.send(window_update(0, len(f.payload))
                           + (window_update(f.stream, len(f.payload)) if f.stream != 1 else b""))
                if f.stream == 1:
                    big["bytes"] += len(payload)
                elif f.stream == stream:
                    s.body += payload
            elif f.kind == RST_STREAM:
                if f.stream == stream:
                    s.reset = error_name(f.error_code())
                elif f.stream == 1:
                    big["reset"] = error_name(f.error_code())
            elif f.kind == GOAWAY:
                break
            if f.kind in (HEADERS, DATA) and f.flags & END_STREAM:
                if f.stream == stream:
                    s.done = True
                elif f.stream == 1:
                    big["done"] = True
        return s.done and s.status == "200" and s.body == small_body

    ok = 0
    failures = []
    stream = 3
    for _ in range(50):
        if run_small(stream):
            ok += 1
        else:
            failures.append(stream)
        stream += 2
    bytes_while_stalled = big["bytes"]
    c.send(rst_stream(1, 8))  # CANCEL
    after_cancel = run_small(stream)
    c.close()
    return {
        "small_ok": ok,
        "small_failed_streams": failures[:10],
        "big_status": big["status"],
        "big_bytes_while_stalled": bytes_while_stalled,
        "big_done": big["done"],
        "big_reset": big["reset"],
        "after_cancel_ok": after_cancel,
        "goaway": c.goaways[0] if c.goaways else None,
        "closed": c.closed,
    }


def main():
    port, big_path, big_size, small_path, small_body = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4],
                                                        sys.argv[5].encode())
    print(json.dumps({
        "concurrent": concurrent(port, big_path, big_size, small_path, small_body),
        "stalled": stalled(port, big_path, small_path, small_body),
    }))


if __name__ == "__main__":
    main()
