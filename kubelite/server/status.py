"""Errors become v1.Status objects here, and only here: upstream's reason, code, message and details."""
from __future__ import annotations

from kubelite import errors

# reason -> HTTP code, as k8s.io/apimachinery/pkg/api/errors sets them.
CODES = {
    "NotFound": 404, "AlreadyExists": 409, "Conflict": 409, "Invalid": 422, "Forbidden": 403,
    "Unauthorized": 401, "BadRequest": 400, "Expired": 410, "Gone": 410, "TooManyRequests": 429,
    "UnsupportedMediaType": 415, "MethodNotAllowed": 405, "NotAcceptable": 406,
    "RequestEntityTooLarge": 413, "Timeout": 504, "ServiceUnavailable": 503, "InternalError": 500,
}

# FieldError.type -> metav1.CauseType
CAUSE_TYPES = {
    "Invalid value": "FieldValueInvalid", "Required value": "FieldValueRequired",
    "Unsupported value": "FieldValueNotSupported", "Forbidden": "FieldValueForbidden",
    "Duplicate value": "FieldValueDuplicate", "Unknown field": "FieldValueInvalid",
    "Too long": "FieldValueTooLong", "Too many": "FieldValueTooMany",
}


class HTTPError(Exception):
    """An error raised by the HTTP layer itself (bad media type, body too large...)."""

    def __init__(self, reason: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.reason, self.message, self.details = reason, message, details


def status(reason: str, message: str, details: dict | None = None, code: int | None = None) -> dict:
    s = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
         "reason": reason, "code": code or CODES.get(reason, 500)}
    if details:
        s["details"] = details
    return s


def success(details: dict | None = None) -> dict:
    s = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
    if details:
        s["details"] = details
    return s


def _resource_details(resource: str, name: str) -> dict:
    plural, _, group = resource.partition(".")
    d = {"name": name, "kind": plural}
    if group:
        d["group"] = group
    return d


def from_error(e: BaseException, kind=None) -> dict:
    """The Status for any error a request raised; unknown errors are InternalError."""
    if isinstance(e, HTTPError):
        return status(e.reason, e.message, e.details)
    if isinstance(e, errors.Unauthorized):
        return status("Unauthorized", "Unauthorized")
    if isinstance(e, (errors.NotFound, errors.AlreadyExists, errors.Conflict)):
        d = _resource_details(e.resource, e.name)
        if getattr(e, "causes", None):
            d["causes"] = e.causes  # server-side apply's field manager conflicts
        return status(e.reason, e.message, d)
    if isinstance(e, errors.Invalid):
        details: dict = {}
        if e.name:
            details["name"] = e.name
        if kind is not None:
            if kind.group:
                details["group"] = kind.group
            details["kind"] = kind.kind
        elif e.kind:
            details["kind"] = e.kind
        causes = []
        for fe in e.field_errors:
            msg = str(fe)
            if fe.path and msg.startswith(fe.path + ": "):
                msg = msg[len(fe.path) + 2:]
            causes.append({"reason": CAUSE_TYPES.get(fe.type, "FieldValueInvalid"), "message": msg, "field": fe.path})
        if causes:
            details["causes"] = causes
        return status("Invalid", e.message, details)
    if isinstance(e, errors.Forbidden):
        d = {}
        if kind is not None:
            d = {"kind": kind.plural}
            if kind.group:
                d["group"] = kind.group
        return status("Forbidden", e.message, d or None)
    if isinstance(e, errors.TooManyRequests):
        d = {"causes": [{"reason": "DisruptionBudget", "message": m} for m in e.causes]} if e.causes else {}
        if e.retry_after:
            d["retryAfterSeconds"] = e.retry_after
        return status("TooManyRequests", e.message, d or None)
    if isinstance(e, errors.Expired):
        return status("Expired", e.message)
    if isinstance(e, (errors.BadRequest, errors.UsageError)):
        return status("BadRequest", e.message)
    if isinstance(e, errors.Busy):
        return status("ServiceUnavailable", e.message)
    if isinstance(e, errors.KubeliteError):
        return status("InternalError", f"Internal error occurred: {e.message}")
    return status("InternalError", f"Internal error occurred: {type(e).__name__}: {e}")
