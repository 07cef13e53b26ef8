#!/usr/bin/python3
"""Writes the seed corpus of every fuzz target into tests/fuzz/corpus/TARGET/ (replacing what is there).

Run with Debian's /usr/bin/python3 (it has the h2 module, which builds the HTTP/2 client streams):
    /usr/bin/python3 tests/fuzz/make-seeds.py
The seeds are valid inputs plus a few near-misses: the RFC examples (RFC 9112 request forms and chunked bodies,
RFC 7541 Appendix C header blocks, RFC 9113 frames), requests for every route of the demo app (Targets/FuzzApp.cs),
and the layouts each target expects (see the Description of each target). Output is deterministic.
"""
import os
import shutil
import struct

import h2.config
import h2.connection

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

seeds = {}


def add(target, name, data):
    if isinstance(data, str):
        data = data.encode("latin-1")
    seeds.setdefault(target, []).append((name, data))


def crlf(text):
    return text.replace("\n", "\r\n")


# --- HTTP/1.1 request heads (RFC 9112 §3, §3.2 request-target forms; RFC 9110 §15 example exchange) ---------------
HEADS = {
    "rfc9112-get": "GET /hello.txt HTTP/1.1\nUser-Agent: curl/7.64.1\nHost: www.example.com\nAccept-Language: en, mi\n\n",
    "rfc9112-origin-form": "GET /where?q=now HTTP/1.1\nHost: www.example.org\n\n",
    "rfc9112-absolute-form": "GET http://www.example.org/pub/WWW/TheProject.html HTTP/1.1\nHost: www.example.org\n\n",
    "rfc9112-authority-form": "CONNECT www.example.com:80 HTTP/1.1\nHost: www.example.com:80\n\n",
    "rfc9112-asterisk-form": "OPTIONS * HTTP/1.1\nHost: www.example.org:8001\n\n",
    "http10": "GET / HTTP/1.0\n\n",
    "post-content-length": "POST /echo HTTP/1.1\nHost: x\nContent-Type: text/plain\nContent-Length: 5\n\nhello",
    "post-chunked": "POST /echo HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n5\nhello\n0\n\n",
    "expect-continue": "POST /echo HTTP/1.1\nHost: x\nExpect: 100-continue\nContent-Length: 3\n\nabc",
    "connection-close": "GET / HTTP/1.1\nHost: x\nConnection: close\n\n",
    "upgrade-h2c": "GET / HTTP/1.1\nHost: x\nConnection: Upgrade, HTTP2-Settings\nUpgrade: h2c\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\n\n",
    "websocket-upgrade": "GET /chat HTTP/1.1\nHost: server.example.com\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\nSec-WebSocket-Version: 13\n\n",
    "many-headers": "GET /headers HTTP/1.1\nHost: x\nAccept: */*\nAccept-Encoding: gzip, br\nCookie: a=1; b=2\nIf-None-Match: \"xyzzy\"\nRange: bytes=0-99\nX-Forwarded-For: 192.0.2.1\n\n",
    "obs-fold-rejected": "GET / HTTP/1.1\nHost: x\nX-Folded: a\n b\n\n",
    "bare-lf": "GET / HTTP/1.1\r\nHost: x\n\r\n",
    "two-content-lengths": "POST /echo HTTP/1.1\nHost: x\nContent-Length: 1\nContent-Length: 2\n\nab",
}
for name, text in HEADS.items():
    add("request-head", name, text if name == "bare-lf" else crlf(text))

# --- chunked bodies (RFC 9112 §7.1; chunk extensions §7.1.1; trailers §7.1.2) -------------------------------------
CHUNKED = {
    "wiki": "4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n",
    "empty": "0\r\n\r\n",
    "extensions": "5;name=value\r\nhello\r\n6;a;b=\"quoted\"\r\n world\r\n0;last\r\n\r\n",
    "trailers": "3\r\nabc\r\n0\r\nExpires: Wed, 21 Oct 2015 07:28:00 GMT\r\nX-Checksum: 42\r\n\r\n",
    "hex-upper-lower": "a\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n",
    "leading-zeros": "0005\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n",
    "bws-before-ext": "5 ;x\r\nhello\r\n0\r\n\r\n",
    "missing-crlf": "5\r\nhelloX0\r\n\r\n",
    "huge-size": "ffffffffffffffffff\r\n",
    "negative": "-1\r\n\r\n",
    "bare-lf": "5\nhello\n0\n\n",
    "truncated": "10\r\nshort",
}
for name, text in CHUNKED.items():
    add("chunked", name, text)

# --- HPACK (RFC 7541 Appendix C): blocks each after a one-byte length, one file per example sequence --------------
C2 = {
    "c2-1-literal-indexed": "400a637573746f6d2d6b65790d637573746f6d2d686561646572",
    "c2-2-literal-not-indexed": "040c2f73616d706c652f70617468",
    "c2-3-literal-never-indexed": "100870617373776f726406736563726574",
    "c2-4-indexed": "82",
}
C_SEQUENCES = {
    "c3-requests-plain": [
        "828684410f7777772e6578616d706c652e636f6d",
        "828684be58086e6f2d6361636865",
        "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565",
    ],
    "c4-requests-huffman": [
        "828684418cf1e3c2e5f23a6ba0ab90f4ff",
        "828684be5886a8eb10649cbf",
        "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf",
    ],
    # The response examples run with a 256-byte table (Appendix C.5): a size update starts their first block.
    "c5-responses-plain": [
        "3fe1014803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d",
        "4803333037c1c0bf",
        "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31",
    ],
    "c6-responses-huffman": [
        "3fe101488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3",
        "4883640effc1c0bf",
        "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
    ],
}


def blocks(*hexes):
    out = b""
    for h in hexes:
        b = bytes.fromhex(h)
        assert len(b) < 256
        out += bytes([len(b)]) + b
    return out


for name, h in C2.items():
    add("hpack", name, blocks(h))
for name, seq in C_SEQUENCES.items():
    add("hpack", name, blocks(*seq))
add("hpack", "size-update-then-field", blocks("3f e1 1f 82".replace(" ", "")))
add("hpack", "size-update-zero", blocks("20", "82"))
add("hpack", "index-zero", blocks("80"))
add("hpack", "index-past-table", blocks("ff 00".replace(" ", "")))
add("hpack", "huffman-eos-padding", blocks("0085 ffffffffff 00".replace(" ", "")))
add("hpack", "integer-overflow", blocks("ffffffffffffffffff7f"))

# --- HTTP/2 (RFC 9113 §6 frame layouts; client streams built with the h2 module) ----------------------------------


def frame(ftype, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream) + payload


DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = range(10)
END_STREAM, ACK, END_HEADERS, PADDED, PRIO = 0x1, 0x1, 0x4, 0x8, 0x20
GET_BLOCK = bytes.fromhex("828684410f7777772e6578616d706c652e636f6d")  # RFC 7541 C.3.1: GET http://www.example.com/


def path_block(method_index, path, extra=b""):
    # :method (static index), :scheme http, :authority x, :path literal without indexing (name index 4)
    return bytes([method_index, 0x86, 0x01, 0x01]) + b"x" + bytes([0x04, len(path)]) + path.encode() + extra


settings = frame(SETTINGS, 0, 0, struct.pack(">HI", 0x3, 100) + struct.pack(">HI", 0x4, 65535))
FRAMES = {
    "settings": settings,
    "settings-ack": settings + frame(SETTINGS, ACK, 0, b""),
    "get": settings + frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK),
    "get-continuation": settings + frame(HEADERS, END_STREAM, 1, GET_BLOCK[:5]) + frame(CONTINUATION, END_HEADERS, 1, GET_BLOCK[5:]),
    "get-padded-priority": settings + frame(HEADERS, END_STREAM | END_HEADERS | PADDED | PRIO, 1,
                                            bytes([3]) + struct.pack(">IB", 0, 15) + GET_BLOCK + b"\0\0\0"),
    "post-data": settings + frame(HEADERS, END_HEADERS, 1, path_block(0x83, "/echo", bytes([0x0f, 0x0d, 1]) + b"5"))
                 + frame(DATA, END_STREAM, 1, b"hello"),
    "post-data-padded": settings + frame(HEADERS, END_HEADERS, 1, path_block(0x83, "/echo"))
                        + frame(DATA, END_STREAM | PADDED, 1, bytes([2]) + b"hi" + b"\0\0"),
    "ping": settings + frame(PING, 0, 0, b"netloop!"),
    "window-update": settings + frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 1 << 20))
                     + frame(HEADERS, END_STREAM | END_HEADERS, 1, path_block(0x82, "/big"))
                     + frame(WINDOW_UPDATE, 0, 1, struct.pack(">I", 100000)),
    "rst-stream": settings + frame(HEADERS, END_HEADERS, 1, path_block(0x83, "/echo"))
                  + frame(RST_STREAM, 0, 1, struct.pack(">I", 8)),
    "priority": settings + frame(PRIORITY, 0, 3, struct.pack(">IB", 1, 200)),
    "goaway": settings + frame(GOAWAY, 0, 0, struct.pack(">II", 0, 0) + b"bye"),
    "push-promise-from-client": settings + frame(PUSH_PROMISE, END_HEADERS, 1, struct.pack(">I", 2) + GET_BLOCK),
    "unknown-type": settings + frame(0xfa, 0xff, 5, b"ignored"),
    "two-streams": settings + frame(HEADERS, END_STREAM | END_HEADERS, 1, path_block(0x82, "/stream"))
                   + frame(HEADERS, END_STREAM | END_HEADERS, 3, path_block(0x82, "/users/42")),
}
for name, data in FRAMES.items():
    add("http2-frames", name, data)
    add("connection-http2", name, data)


def h2_client(requests):
    """A client byte stream (preface included) from the h2 module: each request is (headers, body or None)."""
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    for i, (headers, body) in enumerate(requests):
        sid = 1 + 2 * i
        conn.send_headers(sid, headers, end_stream=body is None)
        if body is not None:
            conn.send_data(sid, body, end_stream=True)
    return conn.data_to_send()


def req(method, path, extra=()):
    return [(":method", method), (":scheme", "http"), (":authority", "localhost"), (":path", path), *extra]


H2_STREAMS = {
    "h2-get": [(req("GET", "/"), None)],
    "h2-post-echo": [(req("POST", "/echo", [("content-length", "5")]), b"hello")],
    "h2-cookies-query": [(req("GET", "/cookies", [("cookie", "a=1"), ("cookie", "b=2")]), None),
                         (req("GET", "/query?x=1&y=%20+z"), None)],
    "h2-big-stream": [(req("GET", "/big"), None), (req("GET", "/stream"), None)],
    "h2-head-and-404": [(req("HEAD", "/"), None), (req("GET", "/nowhere"), None)],
}
for name, requests in H2_STREAMS.items():
    data = h2_client(requests)
    assert data.startswith(PREFACE)
    add("connection-http2", name, data[len(PREFACE):])
    add("connection-any", name, data)
    add("http2-frames", name, data[len(PREFACE):])

# --- whole HTTP/1.1 connections: every route of the demo app, keep-alive, pipelining ------------------------------
H1 = {
    "get-root": "GET / HTTP/1.1\nHost: x\n\n",
    "keep-alive-pipelined": "GET / HTTP/1.1\nHost: x\n\nGET /users/7 HTTP/1.1\nHost: x\n\nGET /files/a/b%20c HTTP/1.1\nHost: x\n\n",
    "post-echo-length": "POST /echo HTTP/1.1\nHost: x\nContent-Length: 11\n\nhello world",
    "post-echo-chunked": "POST /echo HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n4\nWiki\n5\npedia\n0\nX-T: 1\n\n",
    "put-discard": "PUT /discard HTTP/1.1\nHost: x\nContent-Length: 4\n\nabcd",
    "post-half": "POST /half HTTP/1.1\nHost: x\nContent-Length: 100\n\n0123456789abcdef",
    "query-cookies": "GET /query?a=1&b=%41+c&a HTTP/1.1\nHost: x\n\nGET /cookies HTTP/1.1\nHost: x\nCookie: a=1; b=\"q\"; =bad; c\n\n",
    "big-and-stream": "GET /big HTTP/1.1\nHost: x\n\nGET /stream HTTP/1.1\nHost: x\nConnection: close\n\n",
    "head": "HEAD /big HTTP/1.1\nHost: x\n\n",
    "method-not-allowed": "DELETE /echo HTTP/1.1\nHost: x\n\n",
    "expect-continue": "POST /echo HTTP/1.1\nHost: x\nExpect: 100-continue\nContent-Length: 3\n\nabc",
    "http10-keep-alive": "GET / HTTP/1.0\nConnection: keep-alive\n\n",
    "bad-request": "GET / HTTP/1.1\nHost: x\nBad Header: y\n\n",
    "unfinished-head": "GET /slow HTTP/1.1\nHost: x\nX-Slow: ",
    "unfinished-body": "POST /echo HTTP/1.1\nHost: x\nContent-Length: 1000\n\nabc",
    "upgrade-h2c": "GET / HTTP/1.1\nHost: x\nConnection: Upgrade, HTTP2-Settings\nUpgrade: h2c\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\n\n",
}
for name, text in H1.items():
    add("connection-http1", name, crlf(text))
    add("connection-any", name, crlf(text))
add("connection-any", "h2c-preface-settings", PREFACE + settings + frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK))

# --- cookies (RFC 6265 §4.2.1 and §5.4): field values, NUL between fields ------------------------------------------
COOKIES = {
    "rfc6265-single": "SID=31d4d96e407aad42",
    "rfc6265-two": "SID=31d4d96e407aad42; lang=en-US",
    "quoted": "a=\"quoted value\"; b=\"\"",
    "two-fields": "a=1; b=2\0c=3; a=4",
    "empty-and-bare": "; ;a; =x; b= ; c=d;",
    "whitespace": " \ta = 1 \t;\tb\t=\t2",
    "utf8": "name=caf\xc3\xa9; \xe2\x98\x83=snow",
    "invalid-utf8": "a=\xff\xfe; \xc0=b",
    "duplicates": "a=1; a=2; A=3",
    "many": "; ".join(f"k{i}=v{i}" for i in range(40)),
}
for name, text in COOKIES.items():
    add("cookies", name, text)

# --- Range / If-Range (RFC 9110 §14.1.2 examples, §13.1.5): Range NUL If-Range NUL length (big-endian) -------------
L10000 = struct.pack(">Q", 10000).lstrip(b"\0")
RANGES = {
    "first-500": b"bytes=0-499",
    "second-500": b"bytes=500-999\0\0" + L10000,
    "final-500": b"bytes=-500\0\0" + L10000,
    "from-9500": b"bytes=9500-\0\0" + L10000,
    "first-and-last": b"bytes=0-0,-1\0\0" + L10000,
    "past-end": b"bytes=2000-3000",
    "suffix-zero": b"bytes=-0",
    "spaces-and-empty-elements": b"  bytes= , 10-20 ,",
    "other-unit": b"items=0-5",
    "if-range-etag": b"bytes=0-9\0\"xyzzy\"",
    "if-range-weak-etag": b"bytes=0-9\0W/\"xyzzy\"",
    "if-range-imf-date": b"bytes=0-9\0Wed, 21 Oct 2015 07:28:00 GMT",
    "if-range-rfc850-date": b"bytes=0-9\0Wednesday, 21-Oct-15 07:28:00 GMT",
    "if-range-asctime": b"bytes=0-9\0Wed Oct 21 07:28:00 2015",
    "huge-numbers": b"bytes=9223372036854775807-99999999999999999999\0\0\x7f\xff\xff\xff\xff\xff\xff\xff",
    "zero-length-file": b"bytes=0-\0\0\0",
}
for name, data in RANGES.items():
    add("range", name, data)

# --- percent-decoding (RFC 3986 §2.1) and query strings -------------------------------------------------------------
PERCENT = {
    "plain": "/a/b/c",
    "escapes": "/caf%C3%A9/%41%42%43",
    "lower-hex": "/%2f%3a%5b",
    "bad-escape": "/100%/%zz/%4",
    "trailing-percent": "/x%",
    "plus": "/a+b",
    "query": "a=1&b=%20two+words&a=3&&=x&y",
    "query-utf8": "q=%E2%98%83&r=%FF%FE",
    "nul-escape": "/%00/x",
    "dot-segments": "/a/./b/../%2e%2E/c",
}
for name, text in PERCENT.items():
    add("percent-decoding", name, text)

# --- routing: templates then the path, NUL between ------------------------------------------------------------------
ROUTES = {
    "literal": "/hello\0/hello",
    "parameter": "/users/{id}\0/users/42",
    "int-constraint": "/items/{n:int}\0/items/-7",
    "optional": "/a/{b?}\0/a",
    "catch-all": "/static/{*path}\0/static/css/site.css",
    "double-catch-all": "/static/{**path}\0/static/a%2Fb",
    "several": "/a/{x}\0/a/b\0/a/{y:int}/c\0/{*all}\0/a/5/c",
    "malformed-brace": "/a/{b\0/a/b",
    "duplicate-name": "/{x}/{x}\0/1/2",
    "constraint-unknown": "/{x:nope}\0/1",
    "case-insensitive": "/Hello/World\0/hello/WORLD",
    "trailing-slash": "/a/b/\0/a/b/",
    "percent-path": "/files/{name}\0/files/%E2%98%83",
    "empty": "\0/",
}
for name, text in ROUTES.items():
    add("routing", name, text)

# ------------------------------------------------------------------------------------------------------------------
for target, files in sorted(seeds.items()):
    folder = os.path.join(CORPUS, target)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for name, data in files:
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
    print(f"{target}: {len(files)} seeds")
