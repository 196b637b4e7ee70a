"""The fault proxy's model checks (aws_fault_proxy.py): botocore service models by credential-scope
service, the query-protocol decoder that rebuilds a params dict from flattened form parameters, the
checks of query, JSON and CBOR requests against the operation's input shape, and the classification of
a request by protocol (query, json, cbor, rest) with its action and the parameters faults match."""
import io
import json
import re
import threading
import urllib.parse

import botocore.session
from peer_common import ModelChecker

# Credential scope service -> botocore service model name, where they differ.
SCOPE_TO_MODEL = {"monitoring": "cloudwatch", "email": "ses", "states": "stepfunctions",
                  "execute-api": "apigateway", "logs": "logs", "events": "events"}


# MARK: - Service models

class Models:
    """botocore service models, loaded once each."""

    def __init__(self):
        self.lock = threading.Lock()
        self.session = botocore.session.get_session()
        self.cache = {}

    def get(self, scope_service):
        if not scope_service:
            return None
        name = SCOPE_TO_MODEL.get(scope_service, scope_service)
        with self.lock:
            if name not in self.cache:
                try:
                    self.cache[name] = self.session.get_service_model(name)
                except Exception:
                    self.cache[name] = None
            return self.cache[name]


MODELS = Models()


CHECKER = ModelChecker()


# MARK: - Query protocol: flattened form parameters back into params

class QueryDecoder:
    """Rebuilds a params dict from query-protocol form parameters, as botocore's QuerySerializer wrote
    them; every name that no shape accounts for is an error."""

    def __init__(self, flat):
        self.flat = flat  # name -> value (last one wins)
        self.used = set()
        self.errors = []
        self.names = list(flat)

    def decode(self, shape):
        params = self._structure(shape, "") if shape is not None else {}
        for name in self.names:
            if name not in self.used:
                self.errors.append(f"Unknown parameter \"{name}\"" +
                                   (f", must be one of: {', '.join(self._top_names(shape))}" if "." not in name and shape is not None else ""))
        return params if params is not None else {}

    @staticmethod
    def _top_names(shape):
        return [m.serialization.get("name", n) for n, m in shape.members.items()]

    def _under(self, prefix):
        return any(n == prefix or n.startswith(prefix + ".") for n in self.names)

    def _value(self, shape, prefix):
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape, prefix)
        if kind == "list":
            return self._list(shape, prefix)
        if kind == "map":
            return self._map(shape, prefix)
        if prefix not in self.flat:
            if self._under(prefix):
                self.errors.append(f"Parameter {prefix} is a {kind}, not a structure, list or map")
            return None
        self.used.add(prefix)
        raw = self.flat[prefix]
        if kind in ("integer", "long"):
            try:
                return int(raw)
            except ValueError:
                return raw  # ParamValidator reports the type
        if kind in ("float", "double"):
            try:
                return float(raw)
            except ValueError:
                return raw
        if kind == "boolean":
            return {"true": True, "false": False}.get(raw, raw)
        return raw  # string, timestamp (ParamValidator parses it), blob (base64)

    def _structure(self, shape, prefix):
        if prefix and not self._under(prefix):
            return None
        if prefix in self.flat:
            self.used.add(prefix)
            if self.flat[prefix] != "":
                self.errors.append(f"Parameter {prefix} is a structure, not a value")
        result = {}
        for name, member in shape.members.items():
            serialized = member.serialization.get("name", name)
            if member.type_name == "list" and member.serialization.get("flattened") and member.member.serialization.get("name"):
                serialized = member.member.serialization["name"]
            value = self._value(member, f"{prefix}.{serialized}" if prefix else serialized)
            if value is not None:
                result[name] = value
        return result

    def _indices(self, base):
        pattern = re.compile(re.escape(base) + r"\.([0-9]+)(\.|$)")
        found = set()
        for n in self.names:
            m = pattern.match(n)
            if m:
                found.add(int(m.group(1)))
        if found and sorted(found) != list(range(1, len(found) + 1)):
            self.errors.append(f"Indices of {base}.N must run 1..N without gaps, got {sorted(found)}")
        return sorted(found)

    def _list(self, shape, prefix):
        if prefix in self.flat:
            self.used.add(prefix)
            if self.flat[prefix] == "" and not any(n.startswith(prefix + ".") for n in self.names):
                return []
            if self.flat[prefix] != "":
                self.errors.append(f"Parameter {prefix} is a list: send {prefix}.member.N")
        if shape.serialization.get("flattened"):
            base = prefix
        else:
            base = f"{prefix}.{shape.member.serialization.get('name', 'member')}"
        indices = self._indices(base)
        if not indices:
            return None  # names under the prefix that are no list items stay unused: reported as unknown
        return [self._value(shape.member, f"{base}.{i}") for i in indices]

    def _map(self, shape, prefix):
        base = prefix if shape.serialization.get("flattened") else f"{prefix}.entry"
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        indices = self._indices(base)
        if not indices:
            return None
        result = {}
        for i in indices:
            key = self._value(shape.key, f"{base}.{i}.{key_name}")
            value = self._value(shape.value, f"{base}.{i}.{value_name}")
            if key is None:
                self.errors.append(f"Map entry {base}.{i} has no {key_name}")
                continue
            result[key] = value
        return result


def query_model_errors(model, action, version, flat):
    """Problems of a query-protocol request against the service model."""
    if model is None:
        return None
    if action not in model.operation_names:
        return [f"Action {action!r} is no operation of the {model.service_name} model"]
    errors = []
    if version != model.api_version:
        errors.append(f"Version {version!r} is not the {model.service_name} API version {model.api_version}")
    decoder = QueryDecoder({k: v for k, v in flat.items() if k not in ("Action", "Version")})
    params = decoder.decode(model.operation_model(action).input_shape)
    errors += decoder.errors
    errors += CHECKER.errors(params, model.operation_model(action).input_shape)
    return errors


def body_model_errors(model, operation, params):
    if model is None:
        return None
    if operation not in model.operation_names:
        return [f"{operation!r} is no operation of the {model.service_name} model"]
    if not isinstance(params, dict):
        return ["the body is not an object"]
    return CHECKER.errors(params, model.operation_model(operation).input_shape)


# MARK: - CBOR (smithy rpc-v2-cbor): decoding with botocore's parser, a minimal encoder for errors

def cbor_decode(body):
    from botocore.parsers import RpcV2CBORParser
    parser = RpcV2CBORParser()
    return parser.parse_data_item(io.BufferedReader(io.BytesIO(body)))


def cbor_encode(value):
    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
            if n < 1 << (8 * size):
                return bytes([major << 5 | info]) + n.to_bytes(size, "big")
        raise ValueError("too large")
    if isinstance(value, str):
        raw = value.encode()
        return head(3, len(raw)) + raw
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(cbor_encode(k) + cbor_encode(v) for k, v in value.items())
    raise TypeError(type(value))



# MARK: - Classifying a request

def classify(method, path, query, body, service, headers):
    """(protocol, action, params for fault matching, model errors) of a request; `service` is its
    credential scope's service (None when unsigned and not presigned)."""
    model = MODELS.get(service)
    ctype = (headers.get("Content-Type") or "").lower()
    target = headers.get("X-Amz-Target")
    if (headers.get("smithy-protocol") or "").lower() == "rpc-v2-cbor":
        action = path.rsplit("/operation/", 1)[-1] if "/operation/" in path else None
        try:
            params = cbor_decode(body) if body else {}
        except Exception:
            return "cbor", action, {}, ["the body is not CBOR"]
        return "cbor", action, params if isinstance(params, dict) else {}, body_model_errors(model, action, params)
    if target:
        action = target.rsplit(".", 1)[-1]
        try:
            params = json.loads(body) if body.strip() else {}
        except ValueError:
            return "json", action, {}, ["the body is not JSON"]
        errors = body_model_errors(model, action, params)
        if errors is not None and model is not None and model.metadata.get("targetPrefix") and \
                target != f"{model.metadata['targetPrefix']}.{action}":
            errors.insert(0, f"X-Amz-Target {target!r} is not {model.metadata['targetPrefix']}.<operation>")
        return "json", action, params if isinstance(params, dict) else {}, errors
    flat = {}
    for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True):
        flat[k] = v
    if method == "POST" and ctype.startswith("application/x-www-form-urlencoded"):
        for k, v in urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            flat[k] = v
    if "Action" in flat and service != "s3":
        return "query", flat["Action"], flat, query_model_errors(model, flat["Action"], flat.get("Version"), flat)
    protocol = model.metadata.get("protocol") if model is not None else None
    if protocol == "query":
        return "query", None, flat, ["no Action parameter"]
    if protocol == "json":
        return "json", None, {}, ["no X-Amz-Target header"]
    return "rest", f"{method} {path}", dict(urllib.parse.parse_qsl(query, keep_blank_values=True)), None
