#!/usr/bin/python3
"""Graceful shutdown seen from one stream that is in flight when SIGTERM lands.

usage: h2shutdown.py PORT SERVER_PID [slow|load]

slow (the default):

A POST /echo stream sends the first half of its body; once the echo has started coming back (so the handler is
running and the stream is certainly accepted), the script sends SIGTERM to SERVER_PID (a process the calling test
started), waits for the server's GOAWAY, then sends the second half with END_STREAM. The RFC 9113 §6.8 order is:
GOAWAY (last-stream-id >= this stream), then the rest of the response and END_STREAM, then the close. Prints one
JSON line: {"events": [...], "echo_intact", "goaways", "closed"}; events are "headers 200", "data", "goaway CODE
LAST", "end_stream", "rst CODE", "closed HOW" in the order they happened ("data" collapsed when repeated).

load: 8 connections keep 10 GET /plaintext streams each in flight; after 2000 responses the script sends SIGTERM and
goes on sending new requests until each connection is closed. Per connection it records every stream it opened and
how it ended (a complete 200, a RST_STREAM, or nothing before the close) and the GOAWAYs. RFC 9113 §6.8: every stream
with an id up to the last GOAWAY's last-stream-id was accepted and must complete; streams above it were not processed
(the client may retry them). Prints {"connections": [{"goaways", "closed", "accepted", "accepted_incomplete":
[stream: outcome], "above_last", "completed_above_last"}], "responses_before_signal"}.
"""
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2wire import *  # noqa: E402,F401,F403

# More than HttpResponse.StreamingThreshold (64 KiB): the echo of the first half starts the response (HEADERS and
# DATA come back) while the handler still waits for the second half.
HALF = 96 * 1024


def load(port, pid):
    import select
    conns = []
    for _ in range(8):
        c = Connection(port)
        c.start([(SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20)])
        c.send(window_update(0, 1 << 30))
        conns.append({"c": c, "next": 1, "open": set(), "outcome": {}, "stop": False})

    def open_stream(state):
        c = state["c"]
        if state["stop"] or c.goaways or c.closed is not None or c.send_error is not None:
            return
        s = state["next"]
        state["next"] += 2
        if c.send(c.headers(s, request_headers("GET", "/plaintext", port))):
            state["open"].add(s)
            state["outcome"][s] = "open"

    for state in conns:
        for _ in range(10):
            open_stream(state)
    responses, signalled, before_signal = 0, False, 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(st["c"].closed is None for st in conns):
        live = [st for st in conns if st["c"].closed is None]
        ready, _, _ = select.select([st["c"].sock for st in live], [], [], 1.0)
        for st in live:
            if st["c"].sock not in ready:
                continue
            c = st["c"]
            for f in c.poll_frames():
                c.answer(f)
                if f.stream in st["open"]:
                    if f.kind == HEADERS:
                        st["outcome"][f.stream] = "status " + str(dict(c.decode_headers(f)).get(":status"))
                    elif f.kind == DATA and f.payload:
                        c.send(window_update(0, len(f.payload)))
                    elif f.kind == RST_STREAM:
                        st["outcome"][f.stream] = "rst " + error_name(f.error_code())
                        st["open"].discard(f.stream)
                    if f.kind in (HEADERS, DATA) and f.flags & END_STREAM:
                        st["outcome"][f.stream] = "complete" if st["outcome"][f.stream] == "status 200" else st["outcome"][f.stream] + " end"
                        st["open"].discard(f.stream)
                        responses += 1
                        open_stream(st)
                    elif f.kind == RST_STREAM:
                        open_stream(st)
        if not signalled and responses >= 2000:
            os.kill(pid, signal.SIGTERM)
            signalled, before_signal = True, responses
    report = []
    for st in conns:
        c = st["c"]
        last = c.goaways[-1]["last_stream_id"] if c.goaways else None
        accepted = {s: o for s, o in st["outcome"].items() if last is not None and s <= last}
        above = {s: o for s, o in st["outcome"].items() if last is None or s > last}
        report.append({
            "goaways": c.goaways,
            "closed": c.closed,
            "opened": len(st["outcome"]),
            "accepted": len(accepted),
            "accepted_incomplete": {str(s): o for s, o in accepted.items() if o != "complete"},
            "above_last": len(above),
            "completed_above_last": sorted(s for s, o in above.items() if o == "complete")[:10],
        })
        c.close()
    print(json.dumps({"connections": report, "responses_before_signal": before_signal, "signalled": signalled}))


def main():
    port, pid = int(sys.argv[1]), int(sys.argv[2])
    if len(sys.argv) > 3 and sys.argv[3] == "load":
        return load(port, pid)
    body = bytes((i * 7 + 3) % 251 for i in range(2 * HALF))
    c = Connection(port)
    c.start([(SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20)])
    c.send(window_update(0, 1 << 24))
    c.send(c.headers(1, request_headers("POST", "/echo", port, [("content-type", "application/octet-stream")]),
                     end_stream=False))
    for at in range(0, HALF, 16384):
        c.send(frame(DATA, 0, 1, body[at:at + 16384]))

    events, echoed = [], b""
    signalled = second_half_sent = False

    def note(event):
        if not (event == "data" and events and events[-1] == "data"):
            events.append(event)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and c.closed is None:
        f = c.next_frame(deadline - time.monotonic())
        if f is None:
            continue
        c.answer(f)
        if f.kind == HEADERS and f.stream == 1:
            note("headers %s" % dict(c.decode_headers(f)).get(":status"))
        elif f.kind == DATA and f.stream == 1:
            echoed += c.data_payload(f)
            if f.payload:
                note("data")
        elif f.kind == RST_STREAM:
            note("rst %s" % error_name(f.error_code()))
        elif f.kind == GOAWAY:
            g = f.goaway()
            note("goaway %s %d" % (g["code"], g["last_stream_id"]))
            if not second_half_sent:
                # Send the rest now: the stream was accepted before the GOAWAY, so it must still be served.
                for at in range(HALF, 2 * HALF, 16384):
                    c.send(frame(DATA, END_STREAM if at + 16384 >= 2 * HALF else 0, 1, body[at:at + 16384]))
                second_half_sent = True
        if f.kind in (HEADERS, DATA) and f.stream == 1 and f.flags & END_STREAM:
            note("end_stream")
        if not signalled and echoed:
            os.kill(pid, signal.SIGTERM)
            signalled = True
            note("sigterm")
    if c.closed is not None:
        note("closed %s" % c.closed)
    c.close()
    print(json.dumps({"events": events, "echo_intact": echoed == body, "echoed_bytes": len(echoed),
                      "goaways": c.goaways, "closed": c.closed}))


if __name__ == "__main__":
    main()
