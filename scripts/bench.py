#!/usr/bin/env python3
"""CatalogWatch benchmarks: the packaged filter (release, static) under a mock Lambda Runtime API.

Prints medians of several runs (the machines are shared and noisy); asserts nothing about speed.
Everything runs on 127.0.0.1: the mock Runtime API, moto_server (STS, SNS, SQS, CloudFormation) and
the Service Catalog fixture. The distant-AWS run puts scripts/latency_proxy.py in front of them (40 ms
per request, 80 ms more per new connection, one proxy port per service) and counts the filter's
connections and requests per alert, cold (first alert of a process) and warm; it fails when a warm
alert opens more than one connection to any endpoint. Usage (make bench does this):

  scripts/bench.py --zip dist/catalogwatch-filter-x86_64.zip --manifest dist/manifest.json \
                   --catalogwatch .build/release/catalogwatch [--quick]
"""
import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from mock_runtime_api import MockRuntimeAPI  # noqa: E402
from urllib.request import urlopen  # noqa: E402

REGION = "ap-northeast-1"
MGMT = "123456789012"  # moto's default account
TOPIC = f"arn:aws:sns:{REGION}:{MGMT}:catalogwatch-alerts"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def notification(account, pp, status, logical=None, rtype="AWS::CloudFormation::Stack", event_id=None):
    stack = f"SC-{account}-{pp}"
    stack_id = f"arn:aws:cloudformation:{REGION}:{account}:stack/{stack}/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0"
    logical = logical or stack
    return (
        f"StackId='{stack_id}'\nTimestamp='2026-11-27T01:02:03.456Z'\nEventId='{event_id or os.urandom(8).hex()}'\n"
        f"LogicalResourceId='{logical}'\nNamespace='{account}'\nPhysicalResourceId='{stack_id}'\n"
        f"PrincipalId='AROAEXAMPLE:servicecatalog'\nResourceProperties='null'\nResourceStatus='{status}'\n"
        f"ResourceStatusReason='{'The following resource(s) failed to create: [Bucket]. ' if status.endswith(('FAILED', 'ROLLBACK_COMPLETE')) else ''}'\n"
        f"ResourceType='{rtype}'\nStackName='{stack}'\nClientRequestToken='null'\n"
    )


def sns_event(message):
    return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0", "Sns": {
        "Type": "Notification", "MessageId": os.urandom(16).hex(), "TopicArn": f"arn:aws:sns:{REGION}:{MGMT}:catalogwatch-receive",
        "Subject": "AWS CloudFormation Notification", "Message": message, "Timestamp": "2026-11-27T01:02:03.456Z",
        "MessageAttributes": {}}}]}


def sqs_event(messages):
    records = []
    for m in messages:
        envelope = {"Type": "Notification", "MessageId": os.urandom(16).hex(), "TopicArn": f"arn:aws:sns:{REGION}:{MGMT}:catalogwatch-receive",
                    "Subject": "AWS CloudFormation Notification", "Message": m, "Timestamp": "2026-11-27T01:02:03.456Z"}
        records.append({"messageId": os.urandom(16).hex(), "receiptHandle": "x", "body": json.dumps(envelope),
                        "attributes": {}, "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                        "eventSourceARN": f"arn:aws:sqs:{REGION}:{MGMT}:catalogwatch-events", "awsRegion": REGION})
    return {"Records": records}


def routine(i):
    account = f"{200000000000 + i % 997:012d}"
    statuses = ["CREATE_IN_PROGRESS", "CREATE_COMPLETE", "UPDATE_IN_PROGRESS", "UPDATE_COMPLETE", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"]
    if i % 3 == 0:
        return notification(account, f"pp-r{i % 10**11:011d}x"[:16], statuses[i % len(statuses)], logical="Bucket", rtype="AWS::S3::Bucket")
    return notification(account, f"pp-r{i % 10**11:011d}x"[:16], statuses[i % len(statuses)])


# The member accounts of the failures (`failure`); the bench's organization holds them.
MEMBER_ACCOUNTS = [f"{300000000000 + n:012d}" for n in range(97)]


def failure(i):
    account = MEMBER_ACCOUNTS[i % len(MEMBER_ACCOUNTS)]
    statuses = ["ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "CREATE_FAILED", "DELETE_FAILED", "UPDATE_ROLLBACK_FAILED"]
    return notification(account, f"pp-f{i % 20000:011d}x"[:16], statuses[i % len(statuses)])


class Services:
    """moto_server and the Service Catalog fixture on 127.0.0.1, stopped on exit."""

    def __init__(self):
        self.procs = []

    def __enter__(self):
        self.moto_port = free_port()
        # moto_server with TCP_NODELAY: werkzeug writes head and body separately, and on a reused keep-alive
        # connection Nagle plus the client's delayed ACK would hold every answer back ~40 ms (AWS does not).
        # scripts/moto_server.py gives Organizations' CreateAccount the member ids the events name, so that the
        # filter's membership check (DescribeAccount) finds them, as in a real organization.
        moto = ("import sys, runpy, werkzeug.serving; werkzeug.serving.WSGIRequestHandler.disable_nagle_algorithm = True; "
                "sys.argv = [sys.argv[1]] + sys.argv[2:]; runpy.run_path(sys.argv[0], run_name='__main__')")
        env = dict(os.environ, CATALOGWATCH_MOTO_ACCOUNT_IDS=",".join(MEMBER_ACCOUNTS))
        self.procs.append(subprocess.Popen(["timeout", "900", sys.executable, "-c", moto, os.path.join(HERE, "moto_server.py"),
                                            "-H", "127.0.0.1", "-p", str(self.moto_port)],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        self.moto = f"http://127.0.0.1:{self.moto_port}"
        deadline = time.time() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.moto_port), timeout=0.5).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("moto_server did not start")
                time.sleep(0.2)
        fixture = {"provisionedProducts": {}, "products": {"prod-bench": {"Name": "Bench product"}},
                   "provisioningArtifacts": {"pa-bench": {"ProductId": "prod-bench", "Name": "v1", "Description": "bench"}},
                   "records": {"rec-bench": {"Status": "FAILED", "RecordErrors": [{"Code": "CFN", "Description": "stack failed"}]}}}
        for i in range(20000):
            fixture["provisionedProducts"][f"pp-f{i:011d}x"[:16]] = {
                "Name": f"bench-{i}", "ProductId": "prod-bench", "ProvisioningArtifactId": "pa-bench", "LastRecordId": "rec-bench"}
        fd, self.fixture_path = tempfile.mkstemp(suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(fixture, f)
        sc = subprocess.Popen([sys.executable, os.path.join(HERE, "servicecatalog_fixture.py"), "--fixture", self.fixture_path,
                               "--moto", self.moto, "--timeout", "900"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.procs.append(sc)
        self.sc = f"http://127.0.0.1:{sc.stdout.readline().strip()}"
        import boto3
        kw = dict(endpoint_url=self.moto, region_name=REGION, aws_access_key_id="AKIABENCH", aws_secret_access_key="bench")
        self.sns = boto3.client("sns", **kw)
        self.sqs = boto3.client("sqs", **kw)
        self.sns.create_topic(Name="catalogwatch-alerts")
        organizations = boto3.client("organizations", **kw)
        organizations.create_organization(FeatureSet="ALL")
        for account in MEMBER_ACCOUNTS:
            organizations.create_account(AccountName=account, Email=f"{account}@example.com")
        return self

    def new_inbox(self, name):
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.sns.subscribe(TopicArn=TOPIC, Protocol="sqs", Endpoint=arn)
        return url

    def count(self, url):
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"])

    def __exit__(self, *exc):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        os.unlink(self.fixture_path)

    def environment(self, endpoint):
        return {"AWS_LAMBDA_RUNTIME_API": endpoint, "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
                "AWS_ACCESS_KEY_ID": "AKIABENCH", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_SESSION_TOKEN": "benchtoken",
                "AWS_LAMBDA_FUNCTION_NAME": "catalogwatch-filter", "_HANDLER": "bootstrap", "TZ": ":UTC",
                "ALERT_TOPIC_ARN": TOPIC, "MEMBER_ROLE_NAME": "AWSControlTowerExecution",
                "AWS_ENDPOINT_URL": self.moto, "AWS_ENDPOINT_URL_SERVICE_CATALOG": self.sc}


def run_filter(bootstrap, events, env_for, timeout=600, sample_rss=False):
    """Runs bootstrap on events; returns (spawn->first next ns, first next->last answer ns, peak RSS KB, results, rss samples)."""
    with MockRuntimeAPI(events, timeout=timeout, linger=0.05, deadline_ms=60000) as mock:
        env = env_for(mock.endpoint)
        start = time.monotonic_ns()
        proc = subprocess.Popen([bootstrap], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=os.path.dirname(bootstrap))
        samples = []
        stop = threading.Event()

        def sampler():
            while not stop.is_set():
                try:
                    with open(f"/proc/{proc.pid}/status") as f:
                        for line in f:
                            if line.startswith("VmRSS:"):
                                samples.append((len(mock.state.results), int(line.split()[1])))
                except OSError:
                    return
                stop.wait(0.05)
        t = threading.Thread(target=sampler, daemon=True)
        if sample_rss:
            t.start()
        finished = mock.wait()
        stop.set()
        report = mock.report()
        # Peak RSS since exec (ru_maxrss of the child would include the forked Python before exec).
        hwm = 0
        try:
            with open(f"/proc/{proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        hwm = int(line.split()[1])
        except OSError:
            pass
    os.waitpid(proc.pid, 0)
    if not finished:
        raise RuntimeError(f"filter did not answer every event ({len(report['results'])}/{report['total']})")
    s = mock.state
    for x in report["results"]:
        if x.get("requestId") in s.served_at_ns:
            x["servedAtNs"] = s.served_at_ns[x["requestId"]]
    first = s.first_next_ns
    last = max(s.answer_times_ns) if s.answer_times_ns else first
    return first - start, last - first, hwm, report["results"], samples


class LatencyProxy:
    """scripts/latency_proxy.py: one port per route, each request 40 ms away, each new connection 80 ms more."""

    def __init__(self, routes, latency_ms=40, connect_ms=80):
        self.routes = routes
        self.latency_ms = latency_ms
        self.connect_ms = connect_ms

    def __enter__(self):
        args = [sys.executable, os.path.join(HERE, "latency_proxy.py"), "--latency-ms", str(self.latency_ms),
                "--connect-ms", str(self.connect_ms), "--timeout", "900"]
        for name, upstream in self.routes.items():
            args += ["--route", f"{name}={upstream}"]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        info = json.loads(self.proc.stdout.readline())
        self.ports = info["routes"]
        self.control = info["control"]
        return self

    def url(self, name):
        return f"http://127.0.0.1:{self.ports[name]}"

    def events(self):
        with urlopen(f"http://127.0.0.1:{self.control}/events", timeout=10) as r:
            return json.load(r)

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def distant_alerts(bootstrap, svc, runs, per_run):
    """Alerts with AWS 40 ms away: per invocation, latency and the connections and requests of each endpoint.

    Each run is a fresh process answering per_run alert events (distinct accounts, so each assumes a role):
    the first is cold (no connection yet, the HTTP client not started), the rest warm."""
    routes = {"sts": svc.moto, "organizations": svc.moto, "servicecatalog": svc.sc, "cloudformation": svc.moto, "sns": svc.moto}
    cold, warm = [], []
    with LatencyProxy(routes) as proxy:
        def env_for(endpoint):
            env = svc.environment(endpoint)
            del env["AWS_ENDPOINT_URL"]
            env.update({"AWS_ENDPOINT_URL_STS": proxy.url("sts"), "AWS_ENDPOINT_URL_ORGANIZATIONS": proxy.url("organizations"),
                        "AWS_ENDPOINT_URL_SERVICE_CATALOG": proxy.url("servicecatalog"),
                        "AWS_ENDPOINT_URL_CLOUDFORMATION": proxy.url("cloudformation"), "AWS_ENDPOINT_URL_SNS": proxy.url("sns")})
            return env
        for r in range(runs):
            events = [sns_event(failure(700000 + r * per_run + i)) for i in range(per_run)]
            results = run_filter(bootstrap, events, env_for)[3]
            seen = proxy.events()
            for n, x in enumerate(sorted(results, key=lambda x: x["requestId"])):
                if not (x["kind"] == "response" and '"alerts":1' in x["body"]):
                    raise RuntimeError(f"distant alert not answered with one alert: {x}")
                start = x["servedAtNs"]
                end = start + int(x["elapsedMs"] * 1e6)
                inside = [e for e in seen if start <= e[0] <= end]
                figures = {"ms": x["elapsedMs"], "connect": {}, "request": {}}
                for _, route, kind in inside:
                    figures[kind][route] = figures[kind].get(route, 0) + 1
                (cold if n == 0 else warm).append(figures)
    return cold, warm


def summarize(invocations):
    """Median latency, median connections and requests per alert, and the most connections any endpoint got."""
    conns = [sum(f["connect"].values()) for f in invocations]
    reqs = [sum(f["request"].values()) for f in invocations]
    per_route = {}
    for f in invocations:
        for route, k in f["connect"].items():
            per_route[route] = max(per_route.get(route, 0), k)
    return median([f["ms"] for f in invocations]), median(conns), median(reqs), per_route


def null_client_round_trip(events):
    """Per-event time of a Python client that only fetches and answers: the mock's own share."""
    import http.client
    with MockRuntimeAPI(events, timeout=120, linger=0.0) as mock:
        conn = http.client.HTTPConnection("127.0.0.1", mock.port)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        start = time.monotonic_ns()
        for _ in events:
            conn.request("GET", "/2018-06-01/runtime/invocation/next")
            r = conn.getresponse()
            rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
            r.read()
            conn.request("POST", f"/2018-06-01/runtime/invocation/{rid}/response", body=b'{"alerts":0,"ignored":1}')
            conn.getresponse().read()
        span = time.monotonic_ns() - start
        conn.close()
    return span / len(events) / 1e6


def median(xs):
    return statistics.median(xs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zip", required=True)
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--quick", action="store_true", help="fewer runs and events")
    args = ap.parse_args()
    runs = 3 if args.quick else 5
    manifest = json.load(open(args.manifest))
    work = tempfile.mkdtemp(prefix="cw-bench-")
    with zipfile.ZipFile(args.zip) as z:
        z.extractall(work)
        unpacked = sum(i.file_size for i in z.infolist())
    bootstrap = os.path.join(work, "bootstrap")
    os.chmod(bootstrap, 0o755)
    rows = []
    rows.append(("zip size", f"{os.path.getsize(args.zip):,} bytes ({os.path.getsize(args.zip) / 2**20:.2f} MiB)", "<= 5,000,000 bytes; make test fails above it"))
    rows.append(("unpacked size", f"{unpacked:,} bytes", ""))

    with Services() as svc:
        env_for = svc.environment
        # Start-up: spawn to the first `next` request.
        routine_event = sns_event(routine(1))
        starts = [run_filter(bootstrap, [routine_event], env_for)[0] / 1e6 for _ in range(15 if not args.quick else 7)]
        rows.append(("start-up to first next (median)", f"{median(starts):.2f} ms", "< 10 ms"))

        # Non-alert events through the Runtime API.
        n = 2000 if args.quick else 5000
        per, rss, handed = [], [], []
        for r in range(runs):
            events = [sns_event(routine(i)) for i in range(n)]
            _, span, maxrss, results, _ = run_filter(bootstrap, events, env_for)
            assert all(x["kind"] == "response" and '"alerts":0' in x["body"] for x in results), "routine event answered unexpectedly"
            per.append(span / n / 1e6)
            rss.append(maxrss)
            handed.append(median([x["elapsedMs"] for x in results if "elapsedMs" in x]))
        rows.append(("non-alert event, handed out -> answer received (median)", f"{median(handed) * 1000:.1f} µs", "< 0.2 ms"))
        rows.append(("non-alert event, whole loop incl. the mock (median of per-event means)", f"{median(per) * 1000:.1f} µs", ""))
        mock_only = median([null_client_round_trip([sns_event(routine(i)) for i in range(n)]) for _ in range(runs)])
        rows.append(("  of which the Python mock's round trip (null client)", f"{mock_only * 1000:.1f} µs", ""))
        rows.append(("peak RSS, non-alert run (median)", f"{median(rss) / 1024:.1f} MiB", "< 25 MB"))

        # Alert events: AssumeRole (cached per account), Service Catalog lookups, stack events, Publish.
        m = 50 if args.quick else 200
        per_alert, rss_alert = [], []
        for r in range(runs):
            inbox = svc.new_inbox(f"bench-alerts-{r}-{os.urandom(3).hex()}")
            events = [sns_event(failure(r * 100000 + i)) for i in range(m)]
            _, span, maxrss, results, _ = run_filter(bootstrap, events, env_for)
            ok = sum(1 for x in results if x["kind"] == "response" and '"alerts":1' in x["body"])
            if ok != m:
                raise RuntimeError(f"{m - ok} alert events not answered with one alert")
            per_alert.append(span / m / 1e6)
            rss_alert.append(maxrss)
        rows.append(("alert event, enriched and published (median)", f"{median(per_alert):.2f} ms", ""))
        rows.append(("peak RSS, alert run (median)", f"{median(rss_alert) / 1024:.1f} MiB", "< 25 MB"))

        # Alerts with AWS 40 ms away (scripts/latency_proxy.py): cold and warm invocations.
        cold, warm = distant_alerts(bootstrap, svc, runs, 5)
        for label, group in (("cold", cold), ("warm", warm)):
            ms, conns, reqs, per_route = summarize(group)
            worst = ", ".join(f"{k} {v}" for k, v in sorted(per_route.items())) or "none"
            rows.append((f"alert, AWS 40 ms away, {label} (median of {len(group)})", f"{ms:.0f} ms", ""))
            rows.append((f"  connections / requests per alert, {label}", f"{conns:g} / {reqs:g} (most per endpoint: {worst})",
                         "<= 1 per endpoint" if label == "warm" else ""))
        distant_ok = all(k <= 1 for f in warm for k in f["connect"].values())

        # Load: a burst of 10,000 mixed events (95% routine, 5% failures across many accounts), in SQS batches of 10.
        total = 10000
        rng = random.Random(7)
        messages, failures = [], 0
        for i in range(total):
            if rng.random() < 0.05:
                messages.append(failure(900000 + i))
                failures += 1
            else:
                messages.append(routine(i))
        batches = [sqs_event(messages[i:i + 10]) for i in range(0, total, 10)]
        inbox = svc.new_inbox(f"bench-load-{os.urandom(3).hex()}")
        _, span, maxrss, results, samples = run_filter(bootstrap, batches, env_for, timeout=900, sample_rss=True)
        failed_items = sum(len(json.loads(x["body"]).get("batchItemFailures", [])) for x in results if x["kind"] == "response")
        time.sleep(1.0)
        published = svc.count(inbox)
        quarter = max(1, len(samples) // 4)
        early = max((kb for _, kb in samples[:quarter]), default=0)
        late = max((kb for _, kb in samples[-quarter:]), default=0)
        rows.append(("load: events per second (10,000 mixed, SQS batches of 10)", f"{total / (span / 1e9):,.0f}", ""))
        rows.append(("load: failures sent / alerts published / batch item failures", f"{failures} / {published} / {failed_items}", "equal, 0"))
        rows.append(("load: RSS first quarter / last quarter / peak", f"{early / 1024:.1f} / {late / 1024:.1f} / {maxrss / 1024:.1f} MiB", "flat"))
        load_ok = published == failures and failed_items == 0

    width = max(len(r[0]) for r in rows)
    print(f"CatalogWatch bench — {manifest['runtime']} {manifest['architecture']}, binary sha256 {manifest['binary']['sha256'][:16]}")
    for name, value, target in rows:
        print(f"  {name.ljust(width)}  {value}{'   (target ' + target + ')' if target else ''}")
    if not load_ok:
        print("bench: the load run did not publish exactly one alert per failure", file=sys.stderr)
        return 1
    if not distant_ok:
        print("bench: a warm alert opened more than one connection to an endpoint", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
