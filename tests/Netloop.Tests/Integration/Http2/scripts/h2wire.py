"""Raw HTTP/2 frames over a plain socket, for test clients that must send what a well-behaved library refuses to.

Only the standard library and Debian's python3-hpack (installed with python3-h2) are used. Every read is bounded by a
deadline: a script never hangs, it reports what it saw instead.
"""
import errno
import select
import socket
import struct
import time

import hpack

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = range(10)
FRAME_NAMES = ["DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY",
               "WINDOW_UPDATE", "CONTINUATION"]

END_STREAM, ACK, END_HEADERS, PADDED, PRIORITY_FLAG = 0x1, 0x1, 0x4, 0x8, 0x20

SETTINGS_HEADER_TABLE_SIZE, SETTINGS_ENABLE_PUSH, SETTINGS_MAX_CONCURRENT_STREAMS = 1, 2, 3
SETTINGS_INITIAL_WINDOW_SIZE, SETTINGS_MAX_FRAME_SIZE, SETTINGS_MAX_HEADER_LIST_SIZE = 4, 5, 6

# RFC 9113 §7
ERROR_NAMES = ["NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT",
               "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR",
               "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"]


def error_name(code):
    return ERROR_NAMES[code] if code < len(ERROR_NAMES) else "0x%x" % code


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + struct.pack(">BBI", kind, flags, stream & 0x7FFFFFFF) + payload


def settings(pairs=(), ack=False):
    return frame(SETTINGS, ACK if ack else 0, 0, b"".join(struct.pack(">HI", k, v) for k, v in pairs))


def window_update(stream, increment):
    return frame(WINDOW_UPDATE, 0, stream, struct.pack(">I", increment & 0x7FFFFFFF))


def rst_stream(stream, code):
    return frame(RST_STREAM, 0, stream, struct.pack(">I", code))


def ping(opaque=b"\0" * 8, ack=False):
    return frame(PING, ACK if ack else 0, 0, opaque)


def priority(stream, depends_on, weight=15):
    return frame(PRIORITY, 0, stream, struct.pack(">IB", depends_on & 0x7FFFFFFF, weight))


def hpack_integer(value, prefix_bits, first_byte_flags=0):
    """RFC 7541 §5.1."""
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first_byte_flags | value])
    out = [first_byte_flags | limit]
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_literal(name, value, indexing=False):
    """A literal field with a literal name, no Huffman (RFC 7541 §6.2.1 with indexing, §6.2.2 without)."""
    name = name.encode("latin-1") if isinstance(name, str) else name
    value = value.encode("latin-1") if isinstance(value, str) else value
    return (bytes([0x40 if indexing else 0x00]) + hpack_integer(len(name), 7) + name
            + hpack_integer(len(value), 7) + value)


def request_headers(method, path, port, extra=()):
    return [(":method", method), (":scheme", "http"), (":authority", "127.0.0.1:%d" % port), (":path", path)] + list(extra)


class Frame:
    __slots__ = ("kind", "flags", "stream", "payload")

    def __init__(self, kind, flags, stream, payload):
        self.kind, self.flags, self.stream, self.payload = kind, flags, stream, payload

    @property
    def name(self):
        return FRAME_NAMES[self.kind] if self.kind < len(FRAME_NAMES) else "0x%x" % self.kind

    def error_code(self):
        """The error code of a RST_STREAM or GOAWAY."""
        return struct.unpack(">I", self.payload[:4] if self.kind == RST_STREAM else self.payload[4:8])[0]

    def goaway(self):
        last, code = struct.unpack(">II", self.payload[:8])
        return {"last_stream_id": last & 0x7FFFFFFF, "code": error_name(code),
                "debug": self.payload[8:].decode("latin-1")}


class Closed(Exception):
    """The peer closed the connection (EOF) or reset it."""

    def __init__(self, how):
        super().__init__(how)
        self.how = how


class Connection:
    """One client connection: send raw bytes, read frames with a deadline, keep the HPACK state of both sides."""

    def __init__(self, port, host="127.0.0.1", timeout=30.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.port = port
        self.decoder = hpack.Decoder()
        self.decoder.max_allowed_table_size = 65536
        self.decoder.max_header_list_size = 1 << 24
        self._buffer = bytearray()
        self.closed = None      # "eof" or "reset" once the peer has closed
        self.goaways = []       # every GOAWAY seen, in order
        self.send_error = None

    # --- sending -------------------------------------------------------------------------------------------------
    def send(self, data):
        """Sends data; returns False (and remembers why) when the peer has already closed or reset the connection."""
        if self.send_error is not None:
            return False
        try:
            self.sock.sendall(data)
            return True
        except OSError as e:
            self.send_error = errno.errorcode.get(e.errno, str(e.errno))
            return False

    def start(self, pairs=()):
        return self.send(PREFACE + settings(pairs))

    def header_block(self, headers):
        # Literals without indexing only: the server's dynamic table holds nothing of ours unless a test puts it there.
        return b"".join(hpack_literal(n, v) for n, v in headers)

    def headers(self, stream, headers, end_stream=True):
        block = self.header_block(headers)
        return frame(HEADERS, END_HEADERS | (END_STREAM if end_stream else 0), stream, block)

    # --- receiving -----------------------------------------------------------------------------------------------
    def _fill(self, timeout):
        if self.closed is not None:
            return False
        ready, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
        if not ready:
            return False
        try:
            chunk = self.sock.recv(1 << 18)
        except ConnectionResetError:
            self.closed = "reset"
            return False
        except socket.timeout:
            return False
        if not chunk:
            self.closed = "eof"
            return False
        self._buffer += chunk
        return True

    def _take(self):
        if len(self._buffer) < 9:
            return None
        length = int.from_bytes(self._buffer[0:3], "big")
        if len(self._buffer) < 9 + length:
            return None
        kind, flags, stream = self._buffer[3], self._buffer[4], int.from_bytes(self._buffer[5:9], "big") & 0x7FFFFFFF
        payload = bytes(self._buffer[9:9 + length])
        del self._buffer[:9 + length]
        f = Frame(kind, flags, stream, payload)
        if kind == GOAWAY:
            self.goaways.append(f.goaway())
        return f

    def next_frame(self, timeout):
        """The next frame within timeout seconds, or None (timeout, or the connection closed: see self.closed)."""
        deadline = time.monotonic() + timeout
        while True:
            f = self._take()
            if f is not None:
                return f
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._fill(remaining):
                if self.closed is not None or time.monotonic() >= deadline:
                    return self._take()

    def poll_frames(self):
        """Every frame already readable, without waiting."""
        frames = []
        while self._fill(0):
            pass
        while True:
            f = self._take()
            if f is None:
                return frames
            frames.append(f)

    def decode_headers(self, f):
        """The header list of a HEADERS frame with END_HEADERS (padding and priority fields stripped)."""
        payload = f.payload
        pad = 0
        if f.flags & PADDED:
            pad = payload[0]
            payload = payload[1:]
        if f.flags & PRIORITY_FLAG:
            payload = payload[5:]
        if pad:
            payload = payload[:-pad]
        return [(n.decode() if isinstance(n, bytes) else n, v.decode("latin-1") if isinstance(v, bytes) else v)
                for n, v in self.decoder.decode(payload, raw=True)]

    def data_payload(self, f):
        payload = f.payload
        if f.flags & PADDED:
            pad = payload[0]
            payload = payload[1:len(payload) - pad]
        return payload

    def answer(self, f):
        """What every client must do: ACK SETTINGS, answer PING."""
        if f.kind == SETTINGS and not f.flags & ACK:
            self.send(settings(ack=True))
        elif f.kind == PING and not f.flags & ACK:
            self.send(ping(f.payload, ack=True))

    def wait_closed(self, timeout):
        """Reads (answering SETTINGS/PING) until the peer closes; returns how it closed, or None on timeout."""
        deadline = time.monotonic() + timeout
        while self.closed is None and time.monotonic() < deadline:
            f = self.next_frame(deadline - time.monotonic())
            if f is not None:
                self.answer(f)
        return self.closed

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Bystander:
    """A well-behaved client on its own connection: GET a path, wait for its whole response, count the outcomes."""

    def __init__(self, port, path="/plaintext"):
        self.conn = Connection(port)
        self.conn.start()
        self.path = path
        self.next_stream = 1
        self.ok = 0
        self.failures = []

    def get(self, timeout=20.0):
        """One request; returns True when a 200 with a body and END_STREAM came back."""
        c = self.conn
        if c.closed is not None or c.send_error is not None:
            self.failures.append("connection gone (%s)" % (c.closed or c.send_error))
            return False
        stream = self.next_stream
        self.next_stream += 2
        if not c.send(c.headers(stream, request_headers("GET", self.path, c.port))):
            self.failures.append("send failed: %s" % c.send_error)
            return False
        status, body = None, b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            f = c.next_frame(deadline - time.monotonic())
            if f is None:
                break
            c.answer(f)
            if f.kind == GOAWAY:
                self.failures.append("GOAWAY %s" % f.goaway())
                if f.goaway()["last_stream_id"] < stream:
                    return False
            elif f.stream != stream:
                continue
            elif f.kind == HEADERS:
                status = dict(c.decode_headers(f)).get(":status")
            elif f.kind == DATA:
                body += c.data_payload(f)
                if f.payload:
                    c.send(window_update(0, len(f.payload)) + window_update(stream, len(f.payload)))
            elif f.kind == RST_STREAM:
                self.failures.append("RST_STREAM %s on stream %d" % (error_name(f.error_code()), stream))
                return False
            if f.flags & END_STREAM and f.kind in (HEADERS, DATA):
                if status == "200" and body:
                    self.ok += 1
                    return True
                self.failures.append("stream %d: status %s, %d body bytes" % (stream, status, len(body)))
                return False
        self.failures.append("stream %d: no complete response within %.0f s (closed: %s)" % (stream, timeout, c.closed))
        return False
