"""The only exceptions the kubelite library raises.

Each maps to an apiserver status reason; the CLI turns them into kubectl's
wording in one place (kubelite.cli.errors).
"""
from __future__ import annotations


class KubeliteError(Exception):
    """Base of every error kubelite reports to a user."""

    reason = "InternalError"
    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ServerError(KubeliteError):
    """An error the API server would return: printed as `Error from server (Reason): msg`."""


class NotFound(ServerError):
    reason = "NotFound"

    def __init__(self, resource: str, name: str, message: str | None = None):
        super().__init__(message or f'{resource} "{name}" not found')
        self.resource = resource
        self.name = name


class AlreadyExists(ServerError):
    reason = "AlreadyExists"

    def __init__(self, resource: str, name: str):
        super().__init__(f'{resource} "{name}" already exists')
        self.resource = resource
        self.name = name


class Conflict(ServerError):
    reason = "Conflict"

    def __init__(self, resource: str, name: str, detail: str | None = None):
        super().__init__(
            f'Operation cannot be fulfilled on {resource} "{name}": '
            + (detail or "the object has been modified; please apply your changes to the latest version and try again")
        )
        self.resource = resource
        self.name = name


class ApplyConflict(KubeliteError):
    """Server-side apply would take fields other managers own. kubectl wraps the server's
    409 in a message of its own, so it prints `error: Apply failed with ...`."""

    reason = "Conflict"


class Invalid(ServerError):
    """A semantically invalid object: `<Kind> "name" is invalid: path: Invalid value: ...`."""

    reason = "Invalid"

    def __init__(self, message: str, causes: list[str] | None = None):
        super().__init__(message)
        self.causes = causes or []
        self.kind = self.name = ""
        self.field_errors: list = []  # FieldError, when known: the Status' causes


class Forbidden(ServerError):
    reason = "Forbidden"


class TooManyRequests(ServerError):
    """429: try again later (an eviction a disruption budget refuses, for now).

    `causes` are the Status details' causes (e.g. which budget blocks and why);
    `retry_after` is upstream's Retry-After in seconds.
    """

    reason = "TooManyRequests"

    def __init__(self, message: str, causes: list[str] | None = None, retry_after: int = 0):
        super().__init__(message)
        self.causes = causes or []
        self.retry_after = retry_after


class Unauthorized(KubeliteError):
    reason = "Unauthorized"

    def __init__(self, message: str = "You must be logged in to the server (Unauthorized)"):
        super().__init__(message)


class BadRequest(ServerError):
    reason = "BadRequest"


class Expired(ServerError):
    """A watch or continue token older than the history kept (410 Gone)."""

    reason = "Expired"


class UsageError(KubeliteError):
    """A client-side error: printed as `error: msg` (kubectl's client errors)."""

    reason = "Usage"


class InputError(UsageError):
    """Bad input from a file: names the file, the document and the field path."""


class StateError(KubeliteError):
    """The state directory itself cannot be used (read-only, full, locked, corrupt)."""

    reason = "StateError"


class Busy(KubeliteError):
    """Another process holds a lock we will not wait for (e.g. a running reconcile)."""

    reason = "Busy"
    exit_code = 3
