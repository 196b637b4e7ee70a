#!/usr/bin/env python3
"""Benchmarks `catalogwatch deploy` and `status` against moto_server on 127.0.0.1.

For a layout (default: the 17-region examples/layouts/all-commercial.yaml), each run starts a fresh
moto_server (its account set to the layout's managementAccountId) behind scripts/aws_fault_proxy.py,
which counts the API calls, then times: a first deploy (everything created), a second deploy (nothing
to change) and status. Prints the median wall time and the API calls of each; asserts nothing.

  scripts/bench_deploy.py --catalogwatch .build/debug/catalogwatch --zip dist/catalogwatch-filter-x86_64.zip \
      [--layout examples/layouts/all-commercial.yaml] [--runs 5]
"""
import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import json

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"bench_deploy: {url} did not answer in {seconds} s")


def account_of(layout):
    m = re.search(r'managementAccountId:\s*"?(\d{12})', open(layout).read())
    if not m:
        raise SystemExit(f"bench_deploy: {layout} has no managementAccountId")
    return m.group(1)


class Peers:
    """moto_server and the counting proxy in front of it, stopped on exit."""

    def __init__(self, account):
        self.account = account

    def __enter__(self):
        port = free_port()
        env = dict(os.environ, MOTO_ACCOUNT_ID=self.account)
        self.moto = subprocess.Popen(["timeout", "900", sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_http(f"http://127.0.0.1:{port}/moto-api/data.json")
        self.proxy = subprocess.Popen([sys.executable, os.path.join(HERE, "aws_fault_proxy.py"), "--upstream", f"http://127.0.0.1:{port}",
                                       "--timeout", "900"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.proxy.stdout.readline().strip()}"
        body = json.dumps([{"accessKeyId": "AKIABENCHEXAMPLE0001", "secretAccessKey": "bench-secret"}]).encode()
        urllib.request.urlopen(urllib.request.Request(self.url + "/__credentials", data=body, method="POST")).read()
        return self

    def calls(self):
        requests = json.load(urllib.request.urlopen(self.url + "/__requests"))
        urllib.request.urlopen(urllib.request.Request(self.url + "/__reset", data=b"{}", method="POST")).read()
        return len(requests)

    def __exit__(self, *exc):
        for p in (self.proxy, self.moto):
            try:
                os.killpg(p.pid, 15)
            except ProcessLookupError:
                pass
            p.wait()


def run(cli, args, env):
    start = time.perf_counter()
    done = subprocess.run([cli] + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1) or (args[0] == "deploy" and done.returncode != 0):
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-2000:])
        raise SystemExit(f"bench_deploy: catalogwatch {args[0]} exited {done.returncode}")
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--catalogwatch", required=True)
    parser.add_argument("--zip", required=True)
    parser.add_argument("--layout", default="examples/layouts/all-commercial.yaml")
    parser.add_argument("--runs", type=int, default=5)
    a = parser.parse_args()
    account = account_of(a.layout)
    figures = {"deploy (first)": [], "deploy (no change)": [], "status": []}
    calls = {}
    with tempfile.TemporaryDirectory() as home:
        for _ in range(a.runs):
            with Peers(account) as peers:
                env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "AWS_ACCESS_KEY_ID": "AKIABENCHEXAMPLE0001",
                       "AWS_SECRET_ACCESS_KEY": "bench-secret", "AWS_ENDPOINT_URL": peers.url, "AWS_EC2_METADATA_DISABLED": "true"}
                common = ["--layout", a.layout, "--poll-interval", "0.2"]
                for name, args in (("deploy (first)", ["deploy", "--zip", a.zip, "--create-bucket"]),
                                   ("deploy (no change)", ["deploy", "--zip", a.zip]), ("status", ["status"])):
                    figures[name].append(run(a.catalogwatch, args + common, env))
                    calls[name] = peers.calls()
    regions = len(re.findall(r"^\s+- [a-z]{2}(-gov)?-[a-z]+-\d", open(a.layout).read(), re.M))
    print(f"deploy and status against moto_server, {a.layout} ({regions} regions), median of {a.runs} runs")
    print(f"  {'command':<22}{'wall time':>12}{'API calls':>12}")
    for name, times in figures.items():
        print(f"  {name:<22}{statistics.median(times) * 1000:>10.0f} ms{calls[name]:>12}")


if __name__ == "__main__":
    main()
