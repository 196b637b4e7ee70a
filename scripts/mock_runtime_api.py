#!/usr/bin/env python3
"""A mock AWS Lambda Runtime API on 127.0.0.1, for tests and benchmarks.

Serves the given events in order on GET /2018-06-01/runtime/invocation/next, records every
response, error and init error, and stops by itself: once every event is answered (after
--linger seconds), or after --timeout seconds at most. Results are written as JSON to --out.

  mock_runtime_api.py --events events.json --out results.json [--repeat N] [--timeout 60]

events.json is a JSON list; each item is either an event object (sent as the body) or
{"body": <event>, "deadlineInMs": <ms from now>}. The first line printed is the port. Each result
records "elapsedMs", the time from handing out its event to its answer.
"""
import argparse
import json
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BASE = "/2018-06-01/runtime"


class State:
    def __init__(self, events, repeat, default_deadline_ms):
        self.queue = []
        for r in range(repeat):
            for i, e in enumerate(events):
                if isinstance(e, dict) and "body" in e and set(e) <= {"body", "deadlineInMs"}:
                    body, deadline = e["body"], e.get("deadlineInMs", default_deadline_ms)
                else:
                    body, deadline = e, default_deadline_ms
                self.queue.append((f"req-{r:04d}-{i:05d}-{uuid.uuid4().hex[:8]}", body, deadline))
        self.total = len(self.queue)
        self.served = 0
        self.results = []
        self.init_error = None
        self.first_next_ns = None
        self.next_times_ns = []
        self.answer_times_ns = []
        self.served_at_ns = {}
        self.lock = threading.Condition()
        self.done = threading.Event()

    def finished(self):
        return self.init_error is not None or len(self.results) >= self.total


def make_handler(state, linger):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as separate writes: without TCP_NODELAY, Nagle plus delayed ACKs
        # would add ~40 ms to every exchange.
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def send(self, status, body=b"", headers=()):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            # One write for head and body.
            self._headers_buffer.append(b"\r\n")
            self._headers_buffer.append(body)
            self.flush_headers()

        def do_GET(self):
            if self.path != f"{BASE}/invocation/next":
                return self.send(404, b'{"errorMessage":"not found"}')
            now = time.monotonic_ns()
            with state.lock:
                if state.first_next_ns is None:
                    state.first_next_ns = now
                state.next_times_ns.append(now)
                if state.served >= state.total:
                    # Like Lambda, keep the caller waiting: nothing more will come.
                    state.lock.wait_for(lambda: state.done.is_set(), timeout=linger + 1)
                    self.close_connection = True
                    return self.send(410, b'{"errorMessage":"no more events"}')
                request_id, body, deadline = state.queue[state.served]
                state.served += 1
                state.served_at_ns[request_id] = time.monotonic_ns()
            payload = json.dumps(body).encode() if not isinstance(body, str) else body.encode()
            deadline_ms = int(time.time() * 1000) + int(deadline)
            self.send(200, payload, [
                ("Lambda-Runtime-Aws-Request-Id", request_id),
                ("Lambda-Runtime-Deadline-Ms", str(deadline_ms)),
                ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:ap-northeast-1:111122223333:function:catalogwatch-filter"),
                ("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0"),
                ("Content-Type", "application/json"),
            ])

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = self.path[len(BASE):].strip("/").split("/")
            record = None
            if parts == ["init", "error"]:
                with state.lock:
                    state.init_error = {"errorType": self.headers.get("Lambda-Runtime-Function-Error-Type"),
                                        "body": body.decode("utf-8", "replace")}
            elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                record = {"requestId": parts[1], "kind": parts[2], "body": body.decode("utf-8", "replace")}
                if parts[2] == "error":
                    record["errorType"] = self.headers.get("Lambda-Runtime-Function-Error-Type")
            else:
                return self.send(404, b'{"errorMessage":"not found"}')
            with state.lock:
                if record is not None:
                    served = state.served_at_ns.get(parts[1])
                    if served is not None:
                        # From handing out the event to its answer, to compare with the deadline.
                        record["elapsedMs"] = (time.monotonic_ns() - served) / 1e6
                    state.results.append(record)
                    state.answer_times_ns.append(time.monotonic_ns())
                if state.finished():
                    state.lock.notify_all()
            self.send(202, b'{"status":"OK"}')

    return Handler


class MockRuntimeAPI:
    """Runs the mock in a background thread; use as a context manager."""

    def __init__(self, events, repeat=1, timeout=60.0, linger=0.2, deadline_ms=30000):
        self.state = State(events, repeat, deadline_ms)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self.state, linger))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.timeout = timeout
        self.linger = linger
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self):
        return f"127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        return self

    def wait(self):
        """Waits until every event is answered (or an init error, or the timeout). True if finished."""
        deadline = time.monotonic() + self.timeout
        with self.state.lock:
            ok = self.state.lock.wait_for(self.state.finished, timeout=max(0, deadline - time.monotonic()))
        time.sleep(self.linger)
        return ok

    def __exit__(self, *exc):
        self.state.done.set()
        with self.state.lock:
            self.state.lock.notify_all()
        self.server.shutdown()
        self.server.server_close()

    def report(self):
        s = self.state
        return {"served": s.served, "total": s.total, "results": s.results, "initError": s.init_error,
                "firstNextMonotonicNs": s.first_next_ns}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--deadline-ms", type=int, default=30000)
    args = ap.parse_args()
    with open(args.events) as f:
        events = json.load(f)
    with MockRuntimeAPI(events, args.repeat, args.timeout, deadline_ms=args.deadline_ms) as mock:
        print(mock.port, flush=True)
        finished = mock.wait()
        report = mock.report()
        report["finished"] = finished
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)
    return 0 if finished else 3


if __name__ == "__main__":
    sys.exit(main())
