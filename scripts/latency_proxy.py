#!/usr/bin/env python3
"""An HTTP/1.1 proxy on 127.0.0.1 that puts local AWS stand-ins a simulated distance away, for benchmarks.

One listening port per route NAME=UPSTREAM (an http:// URL). Each request waits --latency-ms (one
round trip) before it is answered, and each new client connection waits --connect-ms more before its
first request is read (TCP and TLS set-up: two round trips). Requests go to the upstream unchanged
(the Host header included, so that SigV4 signatures still verify); client connections are kept alive
as HTTP/1.1 allows. Counts connections and requests, with their times (time.monotonic_ns, the same
clock in every process of the machine).

  latency_proxy.py --route sts=http://127.0.0.1:5000 --route servicecatalog=http://127.0.0.1:5001 \
                   [--latency-ms 40] [--connect-ms 80] [--timeout 900]

The first line printed is JSON: {"routes": {NAME: port, ...}, "control": port}. GET /events on the
control port returns [[monotonic_ns, NAME, "connect" | "request"], ...]; POST /reset clears them.
Stops by itself after --timeout seconds.
"""
import argparse
import http.client
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}


class Events:
    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    def add(self, route, kind):
        with self.lock:
            self.items.append([time.monotonic_ns(), route, kind])


def make_proxy(name, upstream, latency, connect, events):
    up = urlsplit(upstream)

    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def setup(self):
            super().setup()
            events.add(name, "connect")
            self.upstream = None
            time.sleep(connect)

        def finish(self):
            try:
                super().finish()
            finally:
                if self.upstream is not None:
                    self.upstream.close()

        def forward(self, body):
            for attempt in (1, 2):
                if self.upstream is None:
                    self.upstream = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
                try:
                    self.upstream.request(self.command, self.path, body=body, headers=dict(self.headers.items()))
                    response = self.upstream.getresponse()
                    data = response.read()
                    if response.getheader("Connection", "").lower() == "close" or response.version == 10:
                        self.upstream.close()
                        self.upstream = None
                    return response, data
                except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                    # The upstream closed its idle connection: that is between the proxy and the stand-in.
                    self.upstream.close()
                    self.upstream = None
                    if attempt == 2:
                        raise

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            events.add(name, "request")
            started = time.monotonic()
            response, data = self.forward(body)
            time.sleep(max(0.0, latency - (time.monotonic() - started)))
            self.send_response_only(response.status, response.reason)
            for k, v in response.getheaders():
                if k.lower() not in HOP_BY_HOP:
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any

    return Proxy


def make_control(events):
    class Control(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, payload):
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            with events.lock:
                items = list(events.items)
            self.reply(items)

        def do_POST(self):
            with events.lock:
                events.items.clear()
            self.reply({"reset": True})

    return Control


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--route", action="append", required=True, metavar="NAME=UPSTREAM")
    ap.add_argument("--latency-ms", type=float, default=40)
    ap.add_argument("--connect-ms", type=float, default=80)
    ap.add_argument("--timeout", type=float, default=900)
    args = ap.parse_args()
    events = Events()
    ports = {}
    servers = []
    for route in args.route:
        name, _, upstream = route.partition("=")
        if not name or not upstream.startswith("http://"):
            ap.error(f"bad --route {route!r}: want NAME=http://host:port")
        server = ThreadingHTTPServer(("127.0.0.1", 0), make_proxy(name, upstream, args.latency_ms / 1000, args.connect_ms / 1000, events))
        server.daemon_threads = True
        ports[name] = server.server_address[1]
        servers.append(server)
    control = ThreadingHTTPServer(("127.0.0.1", 0), make_control(events))
    control.daemon_threads = True
    servers.append(control)
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"routes": ports, "control": control.server_address[1]}), flush=True)
    time.sleep(args.timeout)
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
