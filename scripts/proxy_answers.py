"""The fault proxy's answers (aws_fault_proxy.py): error bodies in each protocol's format (query,
JSON, CBOR, REST XML), scripted answers with their `${Name}` placeholders filled in, and the error
code of an answer, as recorded with the request."""
import json
import re
import uuid
from xml.sax.saxutils import escape

from proxy_model import cbor_decode, cbor_encode
from proxy_state import as_text

EXPIRED_MESSAGE = "The security token included in the request is expired"
PLACEHOLDER = re.compile(r"\$\{([^${}\s]+)\}")


def fill_body(body, params, request_id, escaping):
    """`${requestId}` -> request_id, `${Name}` -> the request parameter Name (escaped), others left as
    they are."""
    def value(m):
        name = m.group(1)
        if name == "requestId":
            return request_id
        if name not in params:
            return m.group(0)
        return escaping(as_text(params[name]))
    return PLACEHOLDER.sub(value, body)


def xml_escape(text):
    return escape(text, {'"': "&quot;", "'": "&apos;"})


def json_escape(text):
    return json.dumps(text)[1:-1]


def error_code_of(content_type, body):
    """The error code of an error answer (the upstream's or a scripted one), when it can be seen."""
    try:
        text = body.decode("utf-8", "replace")
        m = re.search(r"<Code>([^<]*)</Code>", text)
        if m:
            return m.group(1)
        if "json" in (content_type or ""):
            code = json.loads(text).get("__type")
            return code.rsplit("#", 1)[-1] if code else None
        if "cbor" in (content_type or ""):
            code = cbor_decode(body).get("__type")
            return code.rsplit("#", 1)[-1] if code else None
    except Exception:
        return None
    return None


def json_content_type(request_content_type):
    """The request's application/x-amz-json-1.x content type, else application/x-amz-json-1.1."""
    ctype = request_content_type or ""
    if not ctype.startswith("application/x-amz-json"):
        ctype = "application/x-amz-json-1.1"
    return ctype


def error_answer(protocol, model, status, code, message, request_content_type):
    """(headers, body) of an error in the protocol's format: query, json, cbor, else REST XML."""
    request_id = str(uuid.uuid4())
    if protocol == "query":
        ns = model.metadata.get("xmlNamespace") if model is not None else None
        xmlns = f' xmlns="{escape(ns)}"' if ns else ""
        kind = "Sender" if status < 500 else "Receiver"
        body = (f"<ErrorResponse{xmlns}><Error><Type>{kind}</Type><Code>{escape(code)}</Code>"
                f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>")
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    elif protocol == "json":
        body = json.dumps({"__type": code, "message": message})
        headers = [("Content-Type", json_content_type(request_content_type)), ("x-amzn-RequestId", request_id),
                   ("x-amzn-ErrorType", code)]
    elif protocol == "cbor":
        return ([("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"), ("x-amzn-RequestId", request_id)],
                cbor_encode({"__type": code, "message": message}))
    else:  # s3 and other REST XML
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{escape(code)}</Code>'
                f"<Message>{escape(message)}</Message><RequestId>{request_id}</RequestId></Error>")
        headers = [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)]
    return headers, body.encode()


def scripted_answer(protocol, params, fault, request_content_type):
    """(status, headers, body, error code or None) of a scripted answer with a body (a success, or any
    status): placeholders filled in."""
    request_id = str(uuid.uuid4())
    status = int(fault.get("status", 200))
    ctype = fault.get("contentType")
    if ctype is None:
        if protocol == "json":
            ctype = json_content_type(request_content_type)
        elif protocol == "query":
            ctype = "text/xml"
        else:
            ctype = "application/xml"
    escaping = json_escape if "json" in ctype.lower() else xml_escape
    body = fill_body(fault.get("body", ""), params, request_id, escaping).encode()
    code = error_code_of(ctype, body) if status >= 300 else None
    headers = [("Content-Type", ctype), ("x-amzn-RequestId", request_id)]
    if protocol == "rest":
        headers.append(("x-amz-request-id", request_id))
    return status, headers, body, code
