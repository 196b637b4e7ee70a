#!/usr/bin/env python3
"""Mock AWS credential endpoints on 127.0.0.1, for the AWSConfiguration tests.

  credential_endpoints.py --config CONFIG [--timeout 300]

CONFIG is JSON text, or @PATH of a JSON file:

  {"imds": {"role": "catalogwatch-role"},
   "container": {"authorization": "container-token"},
   "sso": {"accessToken": "sso-token", "accountId": "111122223333", "roleName": "Admin"},
   "credentials": {"AccessKeyId": "ASIAMOCK", "SecretAccessKey": "...", "Token": "...", "expiresIn": 3600,
                   "rotateEachFetch": false}}

With "rotateEachFetch": true every credentials answer is a new key (generation 0, 1, 2, ...), so a
client that fetches again after its key was refused gets a different one.

Serves, until --timeout seconds have passed (then it exits by itself):

  PUT  /latest/api/token                               IMDSv2 session token (needs X-aws-ec2-metadata-token-ttl-seconds)
  GET  /latest/meta-data/iam/security-credentials/     the role name   (401 without a valid X-aws-ec2-metadata-token)
  GET  /latest/meta-data/iam/security-credentials/ROLE the credentials (401 without a valid X-aws-ec2-metadata-token)
  GET  /container/...                                  container credentials (401 unless Authorization matches)
  GET  /federation/credentials?account_id=&role_name=  SSO role credentials (401 unless x-amz-sso_bearer_token matches,
                                                       403 for another account or role)
  POST /__rotate    {"expiresIn": N}                   later requests hand out a new key expiring in N seconds (default 60)
  GET  /__requests                                     what was asked: method, path, query, status, and whether a
                                                       token was sent and valid (never the token itself)

Each source's access key id is the configured one plus a source tag and the rotation number,
e.g. ASIAMOCKIMDS0, ASIAMOCKECS1. The first line printed is the port.
"""
import argparse
import datetime
import json
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/"


class State:
    def __init__(self, config):
        self.config = config
        self.lock = threading.Lock()
        self.generation = 0
        self.expires_in = int(config.get("credentials", {}).get("expiresIn", 3600))
        self.imds_tokens = set()
        self.requests = []

    def credentials(self, tag):
        base = self.config.get("credentials", {})
        with self.lock:
            generation, expires_in = self.generation, self.expires_in
            if base.get("rotateEachFetch"):
                self.generation += 1
        expiration = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=expires_in)
        return {
            "AccessKeyId": f"{base.get('AccessKeyId', 'ASIAMOCK')}{tag}{generation}",
            "SecretAccessKey": f"{base.get('SecretAccessKey', 'mock-secret')}-{generation}",
            "Token": f"{base.get('Token', 'mock-session-token')}-{generation}",
            "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "expirationMillis": int(expiration.timestamp() * 1000),
        }

    def record(self, method, path, query, status, token_sent, token_valid):
        with self.lock:
            self.requests.append({"method": method, "path": path, "query": query, "status": status,
                                  "tokenSent": token_sent, "tokenValid": token_valid})


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, body, content_type="application/json", headers=(), token=(False, False)):
            data = body if isinstance(body, bytes) else (json.dumps(body) if content_type == "application/json" else body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            if not urlsplit(self.path).path.startswith("/__"):
                url = urlsplit(self.path)
                state.record(self.command, url.path, url.query, status, token[0], token[1])

        def body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def do_PUT(self):
            self.body()
            if urlsplit(self.path).path != "/latest/api/token":
                return self.reply(404, "not found", "text/plain")
            ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
            if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                return self.reply(400, "missing or invalid ttl", "text/plain")
            token = secrets.token_urlsafe(24)
            with state.lock:
                state.imds_tokens.add(token)
            self.reply(200, token, "text/plain")

        def do_POST(self):
            raw = self.body()
            if urlsplit(self.path).path != "/__rotate":
                return self.reply(404, "not found", "text/plain")
            options = json.loads(raw) if raw else {}
            with state.lock:
                state.generation += 1
                state.expires_in = int(options.get("expiresIn", 60))
                generation = state.generation
            self.reply(200, {"generation": generation})

        def do_GET(self):
            url = urlsplit(self.path)
            if url.path == "/__requests":
                with state.lock:
                    return self.reply(200, list(state.requests))
            if url.path.startswith(CREDENTIALS_PATH):
                return self.imds(url.path[len(CREDENTIALS_PATH):])
            if url.path.startswith("/container/"):
                return self.container()
            if url.path == "/federation/credentials":
                return self.sso(parse_qs(url.query))
            self.reply(404, "not found", "text/plain")

        def imds(self, role):
            token = self.headers.get("X-aws-ec2-metadata-token")
            with state.lock:
                valid = token is not None and token in state.imds_tokens
            if not valid:
                return self.reply(401, "", "text/plain", token=(token is not None, False))
            configured = state.config.get("imds", {}).get("role", "mock-role")
            if role == "":
                return self.reply(200, configured, "text/plain", token=(True, True))
            if role != configured:
                return self.reply(404, "not found", "text/plain", token=(True, True))
            c = state.credentials("IMDS")
            body = {"Code": "Success", "LastUpdated": c["Expiration"], "Type": "AWS-HMAC", "AccessKeyId": c["AccessKeyId"],
                    "SecretAccessKey": c["SecretAccessKey"], "Token": c["Token"], "Expiration": c["Expiration"]}
            self.reply(200, body, token=(True, True))

        def container(self):
            expected = state.config.get("container", {}).get("authorization")
            sent = self.headers.get("Authorization")
            valid = expected is None or sent == expected
            if not valid:
                return self.reply(401, {"message": "unauthorized"}, token=(sent is not None, False))
            c = state.credentials("ECS")
            body = {"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"], "Token": c["Token"],
                    "Expiration": c["Expiration"], "RoleArn": "arn:aws:iam::123456789012:role/mock"}
            self.reply(200, body, token=(sent is not None, sent is not None and valid))

        def sso(self, query):
            sso = state.config.get("sso", {})
            sent = self.headers.get("x-amz-sso_bearer_token")
            if sent is None or sent != sso.get("accessToken"):
                return self.reply(401, {"message": "Session token not found or invalid"},
                                  headers=[("x-amzn-ErrorType", "UnauthorizedException")], token=(sent is not None, False))
            if query.get("account_id") != [sso.get("accountId")] or query.get("role_name") != [sso.get("roleName")]:
                return self.reply(403, {"message": "No access"}, headers=[("x-amzn-ErrorType", "ForbiddenException")],
                                  token=(True, True))
            c = state.credentials("SSO")
            body = {"roleCredentials": {"accessKeyId": c["AccessKeyId"], "secretAccessKey": c["SecretAccessKey"],
                                        "sessionToken": c["Token"], "expiration": c["expirationMillis"]}}
            self.reply(200, body, token=(True, True))

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", required=True, help="JSON text, or @PATH of a JSON file")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before the server stops by itself")
    args = parser.parse_args()
    text = open(args.config[1:]).read() if args.config.startswith("@") else args.config
    state = State(json.loads(text))
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    timer = threading.Timer(args.timeout, server.shutdown)
    timer.daemon = True
    timer.start()
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
