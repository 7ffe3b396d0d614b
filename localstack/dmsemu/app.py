"""The WSGI application: moto's server wrapped by the compatibility layer.

Routes every AWS request through the per-service fixes, injects faults, counts
calls, and serves the admin routes under `/_dmsemu/`.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import cbor2

from . import (
    MOTO_VERSION,
    awsconfig,
    cloudtrail,
    cloudwatch,
    costexplorer,
    dms,
    iam,
    kms,
    opensearch,
    rds,
    redshift,
    redshift_serverless,
    regions,
    validate,
)
from .faults import FaultError, Injector
from .protocol import Call, Response, Service, classify, error_response

if TYPE_CHECKING:
    from _typeshed import OptExcInfo

LOG = logging.getLogger("dmsemu")

# The services the layer changes, by signing name; any other goes to moto as it came.
SERVICES: dict[str, Service] = {
    "dms": dms.SERVICE,
    "kms": kms.SERVICE,
    "rds": rds.SERVICE,
    "monitoring": cloudwatch.SERVICE,
    "redshift-serverless": redshift_serverless.SERVICE,
    "cloudtrail": cloudtrail.SERVICE,
    "es": opensearch.SERVICE,
    "ec2": regions.SERVICE,
    "ce": costexplorer.SERVICE,
    "s3": cloudtrail.S3_SERVICE,
    "config": awsconfig.SERVICE,
}
UNCHANGED = Service()


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Status"


class CompatApp:
    def __init__(self, moto_app: WSGIApplication) -> None:
        self.moto_app = moto_app
        self.faults = Injector()
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        cloudtrail.date_by_call()
        redshift.install()

    # ------------------------------------------------------------------ WSGI

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        status, headers, body = self.serve(environ)
        start_response(f"{status} {_reason(status)}", [*headers, ("Content-Length", str(len(body)))])
        return [body]

    def serve(self, environ: WSGIEnvironment) -> Response:
        path = environ.get("PATH_INFO", "/")
        body = _read_body(environ)
        if path.startswith("/_dmsemu/"):
            return self.admin(environ, path, body)
        if path.startswith("/moto-api"):
            return self.forward(environ, body)
        call = classify(environ, body)
        with self._lock:
            self.calls[f"{call.service}:{call.operation}"] += 1
        delay, fault = self.faults.decide(call)
        if delay:
            time.sleep(delay)
        if fault is not None:
            return error_response(call, *fault)
        denied = regions.refusal(call) or iam.check(call)
        if denied is not None:
            refused = error_response(call, *denied)
            cloudtrail.record(call, refused)  # CloudTrail records denied calls too
            return refused
        invalid = self.invalid(call)
        if invalid is not None:
            return error_response(call, *invalid)
        try:
            with cloudtrail.calling(call):
                response = _without_nulls(call, self.dispatch(environ, call))
            cloudtrail.record(call, response)
            for deviation in validate.check_answer(call, response.status, response.body):
                LOG.warning("answer unlike AWS's: %s", deviation)
        except NotImplementedError as err:
            LOG.info("not implemented: %s:%s: %s", call.service, call.operation, err)
            return _not_implemented(call)
        except Exception:  # an emulator bug must still answer in the caller's protocol
            LOG.exception("dmsemu failed on %s:%s", call.service, call.operation)
            return error_response(call, 500, "InternalFailure", f"the emulator failed on {call.operation}; see its log")
        return _json_not_html(call, response)

    @staticmethod
    def invalid(call: Call) -> tuple[int, str, str] | None:
        """A JSON or CBOR request the service model does not allow (validate.py)."""
        if call.protocol not in ("json", "cbor") or not call.body:
            return None
        body = call.body
        try:
            if call.headers.get("content-encoding", "").lower() == "gzip":
                body = gzip.decompress(body)  # request compression (PutMetricData)
            params = json.loads(body) if call.protocol == "json" else cbor2.loads(body)
        except Exception:  # noqa: BLE001 - undecodable: let the handler answer
            return None
        return validate.check(call, params if isinstance(params, dict) else {})

    def dispatch(self, environ: WSGIEnvironment, call: Call) -> Response:
        """The one place a request meets its handler: the service's dispatch table."""

        def forward(body: bytes, extra: Mapping[str, str] | None = None, /) -> Response:
            return self.forward(environ, body, extra)

        handler = SERVICES.get(call.service, UNCHANGED).handler(call.operation)
        return handler(call, forward)

    def forward(self, environ: WSGIEnvironment, body: bytes, extra: Mapping[str, str] | None = None) -> Response:
        """Calls moto with this body (and extra headers), collecting its answer."""
        env = dict(environ)
        env["wsgi.input"] = io.BytesIO(body)
        env["CONTENT_LENGTH"] = str(len(body))
        for name, value in (extra or {}).items():
            if name.lower() == "content-type":
                env["CONTENT_TYPE"] = value
            else:
                env["HTTP_" + name.upper().replace("-", "_")] = value
        if extra:
            env["PATH_INFO"] = "/"
            env.pop("HTTP_SMITHY_PROTOCOL", None)
        captured: list[tuple[int, list[tuple[str, str]]]] = []
        written: list[bytes] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None, /
        ) -> Callable[[bytes], object]:
            captured.append((int(status.split(" ", 1)[0]), [(k, v) for k, v in headers if k.lower() != "content-length"]))
            return written.append

        chunks = self.moto_app(env, start_response)
        try:
            data = b"".join([*written, *chunks])
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        status, headers = captured[-1]
        return Response(status, headers, data)

    # ------------------------------------------------------------------ admin

    def admin(self, environ: WSGIEnvironment, path: str, body: bytes) -> Response:
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            doc = json.loads(body) if body else {}
        except ValueError:
            return _admin_json({"error": "body is not JSON"}, 400)
        try:
            if path == "/_dmsemu/health":
                return _admin_json({"ok": True, "moto": MOTO_VERSION})
            if path == "/_dmsemu/faults":
                if method in ("PUT", "POST"):
                    return _admin_json(self.faults.set(doc))
                if method == "DELETE":
                    self.faults.reset()
                return _admin_json(self.faults.get())
            if path == "/_dmsemu/calls":
                with self._lock:
                    if method == "DELETE":
                        self.calls.clear()
                    return _admin_json(dict(self.calls))
            if path == "/_dmsemu/deviations":
                return _admin_json({"deviations": validate.deviations(clear=method == "DELETE")})
            if path == "/_dmsemu/reset" and method == "POST":
                reset_env = dict(environ, REQUEST_METHOD="POST", PATH_INFO="/moto-api/reset")
                self.forward(reset_env, b"")
                dms.reset()
                cloudtrail.reset()
                redshift_serverless.reset()
                opensearch.reset()
                regions.reset()
                validate.deviations(clear=True)
                iam.set_enforced(True)
                self.faults.reset()
                with self._lock:
                    self.calls.clear()
                return _admin_json({"reset": True})
            if path == "/_dmsemu/state/dms" and method in ("PUT", "POST"):
                return _admin_json(dms.seed_state(doc))
            if path == "/_dmsemu/state/cloudtrail" and method in ("PUT", "POST"):
                return _admin_json(cloudtrail.set_clock(doc))
            if path == "/_dmsemu/state/redshift-serverless" and method in ("PUT", "POST"):
                return _admin_json(redshift_serverless.seed_state(doc))
            if path == "/_dmsemu/regions" and method in ("PUT", "POST"):
                return _admin_json(regions.set_disabled(doc))
            if path == "/_dmsemu/iam":
                if method in ("PUT", "POST"):
                    return _admin_json(iam.set_enforced(doc.get("enforce", True)))
                return _admin_json(iam.enforced())
        except (FaultError, dms.DmsError, ValueError) as err:
            return _admin_json({"error": str(err)}, 400)
        return _admin_json({"error": f"no admin route {method} {path}"}, 404)


def _read_body(environ: WSGIEnvironment) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    if length > 0:
        return stream.read(length)
    if environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
        return stream.read()
    return b""


def _admin_json(doc: dict, status: int = 200) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps(doc).encode())


def _json_not_html(call: Call, response: Response) -> Response:
    """moto 5.2.5 answers an unimplemented action with an HTML 500 page, which SDKs
    retry as a transient fault. Answer 501 with the protocol's error shape instead."""
    content_type = response.header("content-type")
    if response.status >= 500 and ("html" in content_type or response.body.lstrip().lower().startswith(b"<!doctype")):
        return _not_implemented(call)
    return response


def _not_implemented(call: Call) -> Response:
    return error_response(
        call,
        501,
        "NotImplemented",
        f"{call.service}:{call.operation} is not implemented by the local emulator (moto {MOTO_VERSION} + dmsemu)",
    )


def _without_nulls(call: Call, response: Response) -> Response:
    """moto answers `null` for members it has no value for (KMS MultiRegion and
    SigningAlgorithms, Logs nextToken on the last page). AWS leaves such members out: no
    answer in the KMS or CloudWatch Logs API References' examples holds a null, and the
    last page of DescribeLogGroups is the one without nextToken (CloudWatch Logs API
    Reference, DescribeLogGroups)."""
    if call.protocol != "json" or response.status >= 300 or b"null" not in response.body:
        return response
    try:
        value = json.loads(response.body)
    except ValueError:
        return response
    return response._replace(body=json.dumps(_drop_nulls(value)).encode())


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value
