#!/usr/bin/env python3
"""A reverse proxy in front of moto_server that checks what a client sends and scripts AWS faults, for tests.

  aws_fault_proxy.py --upstream http://127.0.0.1:MOTO_PORT [--port 0] [--timeout 900]

Listens on 127.0.0.1 (any free port unless --port); the first line printed is the port. It stops by
itself after --timeout seconds. Every request is forwarded to the upstream unchanged (method, path,
query, headers, body; only hop-by-hop headers (Connection, Keep-Alive, Transfer-Encoding, TE, Upgrade,
Expect, Proxy-*) are dropped, and a chunked body is forwarded with a Content-Length), and the upstream's
answer is returned (status, headers, body), except:

- Signature. A request with an `Authorization: AWS4-HMAC-SHA256 ...` header is verified the way the
  Service Catalog fixture does: botocore's SigV4Auth (S3SigV4Auth for s3) recomputes the signature over
  the received method, path, query, signed headers and body with the secret key of the access key id
  in the credential scope. The query is decoded and re-encoded canonically, as AWS does; for s3 a
  hex X-Amz-Content-SHA256 must be the body's hash (UNSIGNED-PAYLOAD and STREAMING-* values are
  taken as they are). Keys are known from POST /__credentials, or are keys moto handed out through
  STS AssumeRole (read from the upstream's /moto-api/data.json). A key whose credential has a session
  token must send that X-Amz-Security-Token, signed. X-Amz-Date must be within 15 minutes. An unknown
  key or a bad signature answers 403 SignatureDoesNotMatch (the message says which) and is not
  forwarded. Requests without an Authorization header (moto's /moto-api, presigned URLs, unsigned
  calls such as AssumeRoleWithWebIdentity) are forwarded unchecked, recorded with signatureValid null.

- Expired keys. POST /__expire {"accessKeyId": "...", "after": N, "status": 400}: after N more
  requests signed (validly) with that key, every request signed with it answers `status` (default
  400) ExpiredToken "The security token included in the request is expired" and is not forwarded.
  "after": null forgets the expiry.

- Faults. POST /__faults with a fault or a list of them:
    {"service": "cloudformation", "action": "CreateStackInstances", "match": {"StackSetName": "x"},
     "responses": [{"status": 400, "code": "OperationInProgressException",
                    "message": "Another Operation on StackSet x is in progress"}, {"pass": true}],
     "repeat": false}
  "service" is the credential scope's service (cloudformation, sts, sns, sqs, monitoring, s3; the
  botocore name, e.g. cloudwatch, works too; "*" or absent: any); "action" the query Action, the
  JSON/CBOR operation, or for s3 "METHOD /path" (no query) ("*" or absent: any); "match" (optional)
  parameters that must all match (query: the form/query parameters as sent, e.g.
  "Regions.member.1"; JSON/CBOR: top-level members of the body; s3: the URL's query parameters;
  values compared as strings): a plain value means equality, {"prefix": "p"} a value starting with
  p, e.g. {"OperationId": {"prefix": "catalogwatch-"}}. Each matching request (if signed: validly,
  with a key not expired; unsigned requests have no service unless presigned, so only a fault with
  service "*" or absent matches them) takes the next response, which is not forwarded unless it
  is {"pass": true}:
    - an error in the protocol's format (status default 400, code default ThrottlingException,
      message default "scripted fault"; see Error bodies below);
    - an answer of your own, when the response has a "body" (or a status below 300) (shown wrapped):
        {"status": 200, "contentType": "text/xml",
         "body": "<DescribeStackSetOperationResponse xmlns=\\"http://cloudformation.amazonaws.com/doc/2010-05-15/\\">
                  <DescribeStackSetOperationResult><StackSetOperation><OperationId>${OperationId}</OperationId>
                  <Status>FAILED</Status>...</StackSetOperation></DescribeStackSetOperationResult>
                  <ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>
                  </DescribeStackSetOperationResponse>"}
      sent as it is (UTF-8) with that status (default 200) and contentType (default: text/xml for
      query, the request's application/x-amz-json-1.x (else 1.1) for JSON, application/xml
      otherwise), and an x-amzn-RequestId header. In the body `${requestId}` is a fresh uuid (the
      same one as the header), `${Name}` the request parameter Name as the match sees it (e.g.
      ${StackSetName}, ${OperationId}, ${Regions.member.1}), escaped for XML (or, with a JSON
      contentType, for inside a JSON string); a `${Name}` the request does not have stays as it is.
      Writing the query protocol's <XResponse><XResult>...</XResult></XResponse> wrapping, the
      xmlns and the shapes' serialized names is up to you (botocore's model of the service says
      them); a malformed body is sent all the same.
  Any response may also have "delayMs": N, which holds the request that long before answering it
  (a slow service; {"pass": true, "delayMs": 3000} forwards it after 3 s).
  Once the responses are used up requests pass, unless "repeat": true (on the fault, or on its last
  response), which repeats the last response forever. Faults are tried in the order they were
  added; the first that matches and has responses left answers. A fault whose responses are not
  objects, or whose body, contentType, code or message is not a string, is refused (400).

- Model check. Query-protocol requests (a form body or query string with Action=...) are parsed back
  into a params dict with the operation's input shape from botocore's model of the service (found from
  the credential scope: cloudformation, sts, sns, sqs, monitoring -> cloudwatch, ...): structure
  members by their serialized names, lists as `Name.member.N` (or the list's own member name, or
  `Name.N` when flattened; `Name=` is the empty list), maps as `Name.entry.N.key/value`, scalars
  converted to the shape's type. Then botocore's ParamValidator checks them (required members, types,
  minimum lengths and values), plus the model's enum, maximum and pattern constraints (patterns
  searched, not anchored, as Smithy does), plus: parameter names that are no member (unknown
  parameters), list indices that do not run 1..N, an Action that is no operation of the service, a
  Version other than the model's apiVersion. JSON (X-Amz-Target) and CBOR (smithy-protocol:
  rpc-v2-cbor) bodies are checked the same way without the parsing step. S3 and other REST requests
  are not model-checked (modelErrors null). Problems are only recorded, never answered.

Error bodies per protocol: query: text/xml
`<ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/></ErrorResponse>`;
s3 (and other REST XML): application/xml `<Error><Code/><Message/><RequestId/></Error>` (no body for
HEAD); JSON: `{"__type": code, "message": ...}` with x-amzn-ErrorType and the request's
application/x-amz-json-1.x content type; CBOR: the same map in CBOR with smithy-protocol: rpc-v2-cbor.

- Service-managed StackSets. moto keeps no deployment targets of a SERVICE_MANAGED StackSet and has no
  trusted-access calls; proxy_servicemanaged.py answers DescribeOrganizationsAccess and
  ActivateOrganizationsAccess, adds AutoDeployment, OrganizationalUnitIds and Regions to
  DescribeStackSet, and forwards DeleteStackInstances by OU with the OUs' accounts (see that module).

Control endpoints (no signature; paths starting with /__ are never forwarded):
  POST /__credentials  one {accessKeyId, secretAccessKey, sessionToken?} or a list
  POST /__faults       one fault or a list (added to those already scripted)
  POST /__expire       {accessKeyId, after, status?}
  GET  /__requests     every request seen, in order: {service, action, protocol, method, path, query,
                       accessKeyId, region, signatureValid (true/false/null), signatureError, expired,
                       faulted (a scripted answer, error or body), status, code (of an error answer,
                       ours or the upstream's), modelErrors
                       (list, or null when not checked), params (the form parameters of a query-
                       protocol request, flattened as sent; null otherwise), time}
  POST /__organizations-access  {"status": "ENABLED" | "DISABLED" | "DISABLED_PERMANENTLY"}
  POST /__reset        forget requests, faults and expiries (credentials are kept)
  GET  /__health       {"ok": true}

The code is in modules beside this script: proxy_model.py (service models, the query-protocol
decoder, model checks, classifying requests), proxy_sigv4.py (credential scope, signature check),
proxy_state.py (credentials, faults, expiries, the request log), proxy_servicemanaged.py
(service-managed StackSets as AWS runs them), proxy_answers.py (error bodies,
scripted answers) and proxy_handler.py (the HTTP handler: forwarding, control endpoints); with
peer_common.py, which the Service Catalog fixture shares.
"""
import argparse
import sys

from peer_common import serve
from proxy_handler import make_handler
from proxy_state import State


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--upstream", required=True, help="moto_server endpoint, e.g. http://127.0.0.1:5000")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    ap.add_argument("--timeout", type=float, default=900.0, help="stop after this many seconds")
    args = ap.parse_args()
    state = State(args.upstream)
    return serve(make_handler(state), args.port, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
