"""Member clusters: where a KubeFedCluster points, whether it can be used, and its APIServer.

A member is healthy when its state directory exists, is a readable kubelite state
directory whose counter and namespaces parse, and its store lock can be taken within
LOCK_TIMEOUT seconds. Anything else makes it Offline with the reason, and federation
carries on with the other members.

Writes into a member go through the member's own APIServer (its validation, admission
and resourceVersions) under the member's store lock, taken with the same short timeout
instead of the store's default 30 s: a member that is busy for longer is reported, not
waited for.
"""
from __future__ import annotations

import os
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlparse

from kubelite.api import kinds
from kubelite.errors import KubeliteError, StateError

# Seconds to wait for a member's store lock (health probe and every write).
LOCK_TIMEOUT = float(os.environ.get("KUBELITE_MEMBER_LOCK_TIMEOUT") or 2.0)

READY, NOT_REACHABLE, MALFORMED = "ClusterReady", "ClusterNotReachable", "ClusterConfigMalformed"
ZONE_LABELS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
REGION_LABELS = ("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region")


@dataclass
class Health:
    ready: bool
    reason: str  # ClusterReady, ClusterNotReachable or ClusterConfigMalformed
    message: str
    zones: list[str] = field(default_factory=list)
    region: str = ""


def endpoint_path(endpoint: str | None, base: Path | None = None) -> Path | None:
    """The directory an apiEndpoint names: a path or a file:// URL; None for anything else.

    A relative path is taken relative to `base` (the host's state directory)."""
    if not endpoint or not isinstance(endpoint, str):
        return None
    if "://" in endpoint:
        u = urlparse(endpoint)
        if u.scheme != "file" or u.netloc not in ("", "localhost") or not u.path:
            return None
        return Path(unquote(u.path))
    p = Path(endpoint).expanduser()
    if not p.is_absolute() and base is not None:
        p = base / p
    return p


def _offline(message: str) -> Health:
    return Health(False, NOT_REACHABLE, f"cluster is not reachable: {message}")


def probe_dir(path: Path | None) -> Health | None:
    """Check a member directory without opening it; None when it looks usable."""
    if path is None:
        return Health(False, MALFORMED, "cluster's configuration may be malformed: spec.apiEndpoint must be "
                                        "a state directory path or a file:// URL")
    try:
        if not path.is_dir():
            if path.exists():
                return _offline(f"{path} is not a directory")
            return _offline(f"state directory {path} does not exist")
    except OSError as e:
        return _offline(f"cannot read {path}: {e.strerror}")
    if not os.access(path, os.R_OK | os.X_OK):
        return _offline(f"cannot read {path}: permission denied")
    if not (path / "registry").is_dir():
        return _offline(f"{path} is not a kubelite state directory")
    counter = path / "resource-version"
    try:
        text = counter.read_text().strip()
        if text:
            int(text)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, UnicodeDecodeError):
        return _offline(f"corrupt resourceVersion counter {counter}")
    return None


class Member:
    """One joined cluster for the length of a host pass."""

    def __init__(self, cluster: dict, host_api, clock):
        meta = cluster.get("metadata") or {}
        self.cluster = cluster
        self.name: str = meta.get("name", "")
        self.labels: dict = dict(meta.get("labels") or {})
        self.endpoint = ((cluster.get("spec") or {}).get("apiEndpoint"))
        self.path = endpoint_path(self.endpoint, host_api.store.root)
        self.api = None
        self.is_host = False
        self._held: ExitStack | None = None
        self.health = probe_dir(self.path)
        if self.health is None:
            self.health = self._open(host_api, clock)

    def _open(self, host_api, clock) -> Health:
        from kubelite.apiserver import APIServer
        from kubelite.store import Store

        try:
            same = self.path.resolve() == host_api.store.root.resolve()
        except OSError:
            same = False
        if same:
            # The host is also a member (as KubeFed's host cluster often is): share its
            # store, so its locks stay re-entrant.
            self.api, self.is_host = host_api, True
        else:
            self.api = APIServer(Store(self.path, clock))
        bad: list = []
        previous = self.api.store.on_bad_file
        self.api.store.on_bad_file = bad.append
        try:
            nodes = self.api.store.list(kinds.by_kind("Node"))
            self.api.store.list(kinds.by_kind("Namespace"))
        except KubeliteError as e:
            return _offline(e.message)
        finally:
            self.api.store.on_bad_file = previous if self.is_host else (lambda b: None)
        ns_bad = [b for b in bad if "/namespaces/" in str(b.path)]
        if ns_bad:
            return _offline(f"corrupt object file {ns_bad[0].path}")
        try:
            with self.api.store.locked(timeout=LOCK_TIMEOUT):
                pass
        except StateError as e:
            return _offline(e.message)
        zones: set[str] = set()
        region = ""
        for n in sorted(nodes, key=lambda o: o["metadata"].get("name", "")):
            labels = n["metadata"].get("labels") or {}
            zones |= {labels[k] for k in ZONE_LABELS if labels.get(k)}
            region = region or next((labels[k] for k in REGION_LABELS if labels.get(k)), "")
        return Health(True, READY, f"state directory {self.path} is readable and writable", sorted(zones), region)

    @property
    def ready(self) -> bool:
        return self.health.ready

    def fail(self, message: str) -> None:
        """A write found the member unusable (e.g. its lock timed out): Offline for the rest of the pass."""
        self.health = _offline(message)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Writes into the member go inside this. The first takes the member's store lock
        (with the short timeout) and opens a group commit that close() makes durable, so a
        pass costs each member one lock and one sync, as a controller pass does its own store."""
        if self._held is None:
            held = ExitStack()
            try:
                held.enter_context(self.api.store.locked(timeout=LOCK_TIMEOUT))
                held.enter_context(self.api.store.batch())
            except BaseException:
                held.close()
                raise
            self._held = held
        yield

    def close(self) -> str | None:
        """Commit this pass's writes and release the lock; the error message if committing failed."""
        held, self._held = self._held, None
        if held is None:
            return None
        try:
            held.close()
        except KubeliteError as e:
            self.fail(e.message)
            return e.message
        return None

    # -- reads (no lock, as every reader) ------------------------------------------
    def get(self, kind, namespace: str | None, name: str) -> dict | None:
        return self.api.store.try_get(kind, namespace if kind.namespaced else None, name)

    def list(self, kind, namespace: str | None = None) -> list[dict]:
        return self.api.store.list(kind, namespace)


def open_members(clusters: list[dict], host_api, clock) -> list[Member]:
    """Members in name order, each probed once."""
    return [Member(c, host_api, clock) for c in sorted(clusters, key=lambda o: o["metadata"].get("name", ""))]
