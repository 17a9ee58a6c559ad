"""Reading containers' logs: what `kubelite logs` prints and `pods/log` serves.

The process runtime's wrapper writes each container instance's output to
STATE/logs/<namespace>_<pod>_<uid>/<container>/<N>.log in the CRI format the kubelet
writes: one record per line, `<RFC 3339 nano time> <stdout|stderr> <F|P> <text>`, where P
marks a piece of a line continued in the next record. Which instance a request reads
follows the pod's status, as the kubelet's validateContainerLogStatus does.

API:
  default_container(pod) -> (name, note or None)   kubectl's choice when -c is not given
  log_path(root, pod, container, previous) -> Path  raises BadRequest with the kubelet's message
  read_log(root, pod, container, previous=False, tail=None, since=None,
           since_time=None, timestamps=False, now=None) -> Iterator[bytes]
  follow_log(... same ..., stop=None, poll=0.2) -> Iterator[bytes]: then waits for more
           until the instance ends (its exit status is recorded) or stop() returns True.
"""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Callable, Iterator

from kubelite.errors import BadRequest
from kubelite.runtime.process import layout

PROCESS_ID = "process://"


def all_container_names(pod: dict) -> str:
    """kubectl's AllContainerNames: containers, then init containers marked (init)."""
    spec = pod.get("spec") or {}
    names = [c["name"] for c in spec.get("containers") or []]
    names += [f"{c['name']} (ephem)" for c in spec.get("ephemeralContainers") or []]
    names += [f"{c['name']} (init)" for c in spec.get("initContainers") or []]
    return ", ".join(names)


def default_container(pod: dict) -> tuple[str, str | None]:
    """The container kubectl picks without -c: the default-container annotation's, else the
    first, with the note kubectl prints to stderr when there was a choice."""
    spec = pod.get("spec") or {}
    containers = spec.get("containers") or []
    ann = ((pod.get("metadata") or {}).get("annotations") or {}).get("kubectl.kubernetes.io/default-container")
    if ann and any(c["name"] == ann for c in containers):
        return ann, None
    name = containers[0]["name"]
    note = None
    if len(containers) > 1 or spec.get("initContainers") or spec.get("ephemeralContainers"):
        note = f'Defaulted container "{name}" out of: {all_container_names(pod)}'
    return name, note


def _instance(pod: dict, container: str, previous: bool) -> int:
    """The instance number the request reads, from the container's status (as upstream)."""
    m, st = pod["metadata"], pod.get("status") or {}
    pname = m["name"]
    spec = pod.get("spec") or {}
    if not any(c["name"] == container for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])):
        raise BadRequest(f"container {container} is not valid for pod {pname}")
    cs = next((x for x in (st.get("containerStatuses") or []) + (st.get("initContainerStatuses") or [])
               if x.get("name") == container), None)
    if cs is None:
        raise BadRequest(f'container "{container}" in pod "{pname}" is not available')
    state, last = cs.get("state") or {}, (cs.get("lastState") or {}).get("terminated")
    if previous:
        if not last or not last.get("containerID"):
            raise BadRequest(f'previous terminated container "{container}" in pod "{pname}" not found')
        cid = last["containerID"]
    elif "running" in state:
        cid = cs.get("containerID", "")
    elif "terminated" in state:
        cid = state["terminated"].get("containerID") or cs.get("containerID") or (last or {}).get("containerID")
        if not cid:
            raise BadRequest(f'container "{container}" in pod "{pname}" is terminated')
    elif last:
        cid = last.get("containerID")
        if not cid:
            raise BadRequest(f'container "{container}" in pod "{pname}" is terminated')
    elif "waiting" in state:
        raise BadRequest(f'container "{container}" in pod "{pname}" is waiting to start: {state["waiting"].get("reason", "")}')
    else:
        raise BadRequest(f'container "{container}" in pod "{pname}" is waiting to start - no logs yet')
    if not cid.startswith(PROCESS_ID):
        node = spec.get("nodeName") or ""
        raise BadRequest(f'container "{container}" in pod "{pname}" has no logs: node "{node}" simulates its containers '
                         f"(only nodes labelled kubelite.io/runtime=process run them)")
    return int(cid.rsplit("/", 1)[1])


def log_path(root: Path, pod: dict, container: str, previous: bool = False) -> Path:
    m = pod["metadata"]
    n = _instance(pod, container, previous)
    return layout.log_path(root, m.get("namespace") or "default", m["name"], m["uid"], container, n)


def _parse(record: bytes) -> tuple[bytes, bytes, bytes] | None:
    """(timestamp, tag, text) of one CRI record (without its newline)."""
    parts = record.split(b" ", 3)
    if len(parts) < 3:
        return None
    if len(parts) == 3:
        parts.append(b"")
    return parts[0], parts[2], parts[3]


def _stamp_time(ts: bytes) -> dt.datetime | None:
    try:
        text = ts.decode()
        base, _, frac = text.rstrip("Z").partition(".")
        t = dt.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.timezone.utc)
        return t + dt.timedelta(microseconds=int((frac + "000000")[:6])) if frac else t
    except (UnicodeDecodeError, ValueError):
        return None


def _render(records: list[bytes], timestamps: bool, after: dt.datetime | None) -> Iterator[bytes]:
    for rec in records:
        p = _parse(rec)
        if p is None:
            continue
        ts, tag, text = p
        if after is not None:
            t = _stamp_time(ts)
            if t is not None and t < after:
                continue
        out = text + (b"\n" if tag == b"F" else b"")
        yield (ts + b" " + out) if timestamps else out


def _cutoff(since: float | None, since_time: dt.datetime | None, now: dt.datetime | None) -> dt.datetime | None:
    if since_time is not None:
        return since_time
    if since is not None:
        return (now or dt.datetime.now(dt.timezone.utc)) - dt.timedelta(seconds=since)
    return None


def _records(data: bytes) -> tuple[list[bytes], bytes]:
    """Whole records, and the unfinished rest (a record being written)."""
    cut = data.rfind(b"\n")
    if cut < 0:
        return [], data
    return data[:cut].split(b"\n"), data[cut + 1:]


def read_log(root: Path, pod: dict, container: str, previous: bool = False, tail: int | None = None,
             since: float | None = None, since_time: dt.datetime | None = None, timestamps: bool = False,
             now: dt.datetime | None = None) -> Iterator[bytes]:
    """The log of a container's current (or previous) instance, as chunks of bytes."""
    path = log_path(root, pod, container, previous)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return iter(())
    records, _ = _records(data)
    if tail is not None and tail >= 0:
        records = records[-tail:] if tail else []
    return _render(records, timestamps, _cutoff(since, since_time, now))


def follow_log(root: Path, pod: dict, container: str, previous: bool = False, tail: int | None = None,
               since: float | None = None, since_time: dt.datetime | None = None, timestamps: bool = False,
               now: dt.datetime | None = None, stop: Callable[[], bool] | None = None,
               poll: float = 0.2) -> Iterator[bytes]:
    """read_log, then what the instance writes next, until its exit status is recorded (all of
    its output is in the file by then) or `stop()` says so."""
    path = log_path(root, pod, container, previous)
    m = pod["metadata"]
    n = int(path.stem)
    exit_file = layout.container_dir(root, m["uid"], container) / f"{n}.exit"
    cutoff = _cutoff(since, since_time, now)
    offset, rest, first = 0, b"", True
    while True:
        ended = exit_file.exists() or not layout.pod_dir(root, m["uid"]).exists()
        try:
            with open(path, "rb") as f:
                f.seek(offset)
                data = f.read()
        except FileNotFoundError:
            data = b""
        offset += len(data)
        records, rest = _records(rest + data)
        if first and tail is not None and tail >= 0:
            records = records[-tail:] if tail else []
        first = False
        yield from _render(records, timestamps, cutoff)
        if ended or (stop is not None and stop()):
            return
        time.sleep(poll)


def parse_since(text: str) -> float:
    """A --since duration (`30s`, `5m`, `1h30m`) in seconds."""
    import re

    if not re.fullmatch(r"(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+", text or ""):
        raise ValueError(text)
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
    return sum(float(n) * units[u] for n, _, u in re.findall(r"(\d+(\.\d+)?)(ns|us|µs|ms|s|m|h)", text))
