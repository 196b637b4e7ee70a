"""The fault proxy's state (aws_fault_proxy.py): known credentials (also those moto handed out through
STS AssumeRole), the scripted faults and how a request picks its next scripted response, the
expiries of access keys, and the log of requests seen."""
import json
import threading
import urllib.request

from proxy_model import SCOPE_TO_MODEL
from proxy_servicemanaged import ServiceManaged


def as_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (dict, list)) else str(value)


def is_prefix_match(expected):
    return isinstance(expected, dict) and set(expected) == {"prefix"}


def matches(value, expected):
    """A fault's "match" value against a request parameter: {"prefix": p} or equality, as strings."""
    if is_prefix_match(expected):
        return as_text(value).startswith(as_text(expected["prefix"]))
    return as_text(value) == as_text(expected)


def check_fault(f):
    """Rejects (ValueError) a scripted fault whose answers could not be sent."""
    if not isinstance(f, dict):
        raise ValueError("a fault is an object")
    if not isinstance(f.get("match") or {}, dict):
        raise ValueError("match is an object")
    for response in f.get("responses", []):
        if not isinstance(response, dict):
            raise ValueError("a response is an object")
        for key in ("body", "contentType", "code", "message"):
            if key in response and not isinstance(response[key], str):
                raise ValueError(f"a response's {key} is a string")
        int(response.get("status", 200 if "body" in response else 400))
        if not 0 <= float(response.get("delayMs", 0)) <= 600_000:
            raise ValueError("a response's delayMs is 0 to 600000")


class State:
    def __init__(self, upstream):
        self.lock = threading.Lock()
        self.upstream = upstream.rstrip("/")
        self.credentials = {}
        self.faults = []
        self.expiries = {}  # access key id -> {"remaining": n, "status": s}
        self.requests = []
        self.service_managed = ServiceManaged(self.upstream)

    def add_credentials(self, c):
        with self.lock:
            self.credentials[c["accessKeyId"]] = {"secret": c["secretAccessKey"], "token": c.get("sessionToken")}

    def lookup(self, access_key_id):
        with self.lock:
            known = self.credentials.get(access_key_id)
        if known:
            return known
        try:
            with urllib.request.urlopen(f"{self.upstream}/moto-api/data.json", timeout=10) as r:
                data = json.load(r)
        except Exception:
            return None
        for role in data.get("sts", {}).get("AssumedRole", []):
            if role.get("access_key_id") == access_key_id:
                found = {"secret": role["secret_access_key"], "token": role.get("session_token")}
                with self.lock:
                    self.credentials[access_key_id] = found
                return found
        return None

    def add_faults(self, faults):
        for f in faults:
            check_fault(f)
        with self.lock:
            for f in faults:
                self.faults.append({"service": f.get("service", "*"), "action": f.get("action", "*"),
                                    "match": dict(f.get("match") or {}), "responses": list(f.get("responses", [])),
                                    "repeat": bool(f.get("repeat"))})

    def next_fault(self, service, action, params):
        names = {service, SCOPE_TO_MODEL.get(service, service)}
        with self.lock:
            for f in self.faults:
                if f["service"] not in ("*", None) and f["service"] not in names:
                    continue
                if f["action"] not in ("*", None) and f["action"] != action:
                    continue
                if not all(k in params and matches(params[k], v) for k, v in f["match"].items()):
                    continue
                if not f["responses"]:
                    continue
                response = f["responses"][0]
                if not ((f["repeat"] or response.get("repeat")) and len(f["responses"]) == 1):
                    f["responses"].pop(0)
                return response
        return None

    def set_expiry(self, access_key_id, after, status):
        """POST /__expire: `after` more validly signed requests, then `status`; `after` None forgets it."""
        with self.lock:
            if after is None:
                self.expiries.pop(access_key_id, None)
            else:
                self.expiries[access_key_id] = {"remaining": int(after), "status": int(status)}

    def reset(self):
        """POST /__reset: forgets requests, faults and expiries (credentials are kept)."""
        with self.lock:
            self.requests.clear()
            self.faults.clear()
            self.expiries.clear()

    def count_expiry(self, access_key_id):
        """For a validly signed request: the expiry status to answer, or None to go on."""
        with self.lock:
            e = self.expiries.get(access_key_id)
            if e is None:
                return None
            if e["remaining"] > 0:
                e["remaining"] -= 1
                return None
            return e["status"]

