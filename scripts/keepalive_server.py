#!/usr/bin/env python3
"""An HTTP/1.1 keep-alive server on 127.0.0.1 for the transport tests (Tests/NIOTransportTests).

Prints its port on the first line and stops by itself after --timeout seconds. With --tls DIR it
makes a CA and a server certificate for localhost and 127.0.0.1 (the `cryptography` package), writes
DIR/ca.pem, and serves HTTPS.

Paths (any method; the request body is read and its length answered):
  /ok              200, keep-alive
  /slow?ms=N       200 after N ms
  /stale           200 when first on its connection; later on a connection: closes it without an answer
                   (a keep-alive connection the server dropped while it was idle)
  /partial         a head promising 100 bytes, 10 of them, then the connection closes
  /close           a complete 200, then the connection closes (without `Connection: close`)
  /__stats         JSON: the connections that carried other requests, each {"requests": [paths], "open": bool}
"""
import argparse
import datetime
import ipaddress
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.connections = []  # {"requests": [...], "open": bool, "control": bool}


def make_handler(stats):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def setup(self):
            super().setup()
            self.record = {"requests": [], "open": True, "control": False}
            with stats.lock:
                stats.connections.append(self.record)

        def finish(self):
            try:
                super().finish()
            finally:
                with stats.lock:
                    self.record["open"] = False

        def answer(self, status, body, extra=()):
            self.send_response(status)
            for k, v in extra:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()

        def handle_any(self):
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if url.path == "/__stats":
                with stats.lock:
                    if not self.record["requests"]:
                        self.record["control"] = True
                    out = [{"requests": list(c["requests"]), "open": c["open"]} for c in stats.connections if not c["control"]]
                return self.answer(200, json.dumps(out).encode(), [("Content-Type", "application/json")])
            with stats.lock:
                self.record["requests"].append(url.path)
                first = len(self.record["requests"]) == 1
            reply = json.dumps({"path": url.path, "received": len(body)}).encode()
            if url.path == "/stale" and not first:
                self.close_connection = True
                return
            if url.path == "/slow":
                time.sleep(int(parse_qs(url.query).get("ms", ["100"])[0]) / 1000)
            if url.path == "/partial":
                self.send_response(200)
                self.send_header("Content-Length", "100")
                self.end_headers()
                self.wfile.write(b"0123456789")
                self.wfile.flush()
                self.close_connection = True
                return
            self.answer(200, reply, [("Content-Type", "application/json")])
            if url.path == "/close":
                self.close_connection = True

        do_GET = do_POST = do_PUT = handle_any

    return Handler


def make_tls(directory):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CatalogWatch test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    with open(os.path.join(directory, "ca.pem"), "wb") as f:
        f.write(ca.public_bytes(pem))
    chain = os.path.join(directory, "server.pem")
    with open(chain, "wb") as f:
        f.write(leaf.public_bytes(pem))
        f.write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain)
    return context


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--tls", metavar="DIR")
    args = ap.parse_args()
    stats = Stats()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(stats))
    server.daemon_threads = True
    if args.tls:
        context = make_tls(args.tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    threading.Timer(args.timeout, lambda: os._exit(0)).start()
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
