"""The fault proxy's SigV4 check (aws_fault_proxy.py): the credential scope of a request (from its
Authorization header, or the X-Amz-Credential of a presigned URL), and the verification of a signature
with botocore's SigV4Auth (S3SigV4Auth for s3) over the request as received."""
import hashlib
import hmac
import re
import urllib.parse

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials
from peer_common import check_signed_request, parse_authorization as parse_sigv4_authorization

MISMATCH_MESSAGE = ("The request signature we calculated does not match the signature you provided. "
                    "Check your AWS Secret Access Key and signing method.")


class ProxyError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def request_scope(authorization, query):
    """(parsed Authorization or None, its ProxyError or None, service, region) of a request: a
    malformed Authorization header has no scope; a request without one names its scope in the query
    when it is a presigned URL."""
    parsed = None
    auth_error = None
    if authorization is not None:
        try:
            parsed = parse_sigv4_authorization(authorization, lambda m: ProxyError(403, "SignatureDoesNotMatch", m))
        except ProxyError as e:
            auth_error = e
    service = parsed[3] if parsed else None
    region = parsed[2] if parsed else None
    if parsed is None and authorization is None:
        # A presigned URL names its scope in the query.
        credential = dict(urllib.parse.parse_qsl(query)).get("X-Amz-Credential", "")
        parts = credential.split("/")
        if len(parts) == 5:
            service, region = parts[3], parts[2]
    return parsed, auth_error, service, region


class VerifyingAuth(SigV4Auth):
    """SigV4Auth that signs exactly the headers given (the request's signed headers)."""

    def headers_to_sign(self, request):
        header_map = HTTPHeaders()
        for name, value in request.headers.items():
            header_map[name.lower()] = value
        return header_map


class VerifyingS3Auth(S3SigV4Auth):
    def headers_to_sign(self, request):
        return VerifyingAuth.headers_to_sign(self, request)


def header_value(headers, name):
    values = headers.get_all(name)
    if values is None:
        return None
    return ",".join(" ".join(v.split()) for v in values)


def verify(state, method, raw_path, headers, body, parsed):
    """Checks the SigV4 signature in `parsed` (from parse_sigv4_authorization); returns the credentials."""
    access_key, day, region, service, signed, signature = parsed
    if "host" not in signed:
        raise ProxyError(403, "SignatureDoesNotMatch", "the host header is not signed")
    def date_signed():
        if "x-amz-date" not in signed:
            raise ProxyError(403, "SignatureDoesNotMatch", "X-Amz-Date is not signed")

    amz_date, creds = check_signed_request(headers, day, access_key, signed, state.lookup,
                                           lambda m: ProxyError(403, "SignatureDoesNotMatch", m), after_date=date_signed)
    content_sha = headers.get("X-Amz-Content-SHA256")
    if service == "s3" and content_sha is None:
        raise ProxyError(403, "SignatureDoesNotMatch", "missing X-Amz-Content-SHA256, which S3 requires")
    if content_sha and re.fullmatch(r"[0-9a-f]{64}", content_sha) and content_sha != hashlib.sha256(body).hexdigest():
        raise ProxyError(403, "SignatureDoesNotMatch", "X-Amz-Content-SHA256 is not the hash of the body")
    path, _, query = raw_path.partition("?")
    request = AWSRequest(method=method, url=f"http://{headers.get('Host')}{path}", data=body,
                         headers={name: header_value(headers, name) for name in signed})
    request.params = [(urllib.parse.unquote(k), urllib.parse.unquote(v))
                      for k, _, v in (pair.partition("=") for pair in query.split("&") if pair)]
    request.context["timestamp"] = amz_date
    auth_class = VerifyingS3Auth if service == "s3" else VerifyingAuth
    auth = auth_class(Credentials(access_key, creds["secret"], creds.get("token")), service, region)
    canonical = auth.canonical_request(request)
    expected = auth.signature(auth.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, signature):
        raise ProxyError(403, "SignatureDoesNotMatch", MISMATCH_MESSAGE)
    return creds
