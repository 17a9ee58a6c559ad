"""Reading container logs from the CRI-format files the process runtime writes."""
from __future__ import annotations

import datetime as dt
import threading

import pytest

from kubelite.errors import BadRequest
from kubelite.runtime import logs
from kubelite.runtime.process import layout

UID = "0f0e0d0c-0000-4000-8000-000000000001"


def pod(state: dict | None = None, containers=("app",), inits=(), annotations=None) -> dict:
    p = {"metadata": {"name": "web", "namespace": "shop", "uid": UID, "annotations": annotations or {}},
         "spec": {"nodeName": "local", "containers": [{"name": n} for n in containers],
                  "initContainers": [{"name": n} for n in inits]},
         "status": {"containerStatuses": [dict({"name": containers[0]}, **(state or {}))]}}
    return p


def running(n: int, last: int | None = None) -> dict:
    st = {"state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}, "containerID": f"process://{UID}/app/{n}"}
    if last is not None:
        st["lastState"] = {"terminated": {"exitCode": 1, "containerID": f"process://{UID}/app/{last}"}}
    return st


def write(root, n: int, text: str) -> None:
    path = layout.log_path(root, "shop", "web", UID, "app", n)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


RECORDS = ("2026-01-01T00:00:01.000000001Z stdout F one\n"
           "2026-01-01T00:00:02.000000000Z stderr F two\n"
           "2026-01-01T00:00:03.500000000Z stdout P thr\n"
           "2026-01-01T00:00:03.600000000Z stdout F ee\n")


def read(root, p, **kw) -> bytes:
    return b"".join(logs.read_log(root, p, "app", **kw))


def test_records_become_the_programs_output_with_partial_lines_joined(tmp_path):
    write(tmp_path, 0, RECORDS)
    assert read(tmp_path, pod(running(0))) == b"one\ntwo\nthree\n"


def test_tail_since_and_timestamps_select_and_prefix_records(tmp_path):
    write(tmp_path, 0, RECORDS)
    p = pod(running(0))
    assert read(tmp_path, p, tail=1) == b"ee\n"
    assert read(tmp_path, p, tail=0) == b""
    now = dt.datetime(2026, 1, 1, 0, 0, 3, tzinfo=dt.timezone.utc)
    assert read(tmp_path, p, since=1.5, now=now) == b"two\nthree\n"
    assert read(tmp_path, p, timestamps=True, tail=2).startswith(b"2026-01-01T00:00:03.500000000Z thr")


def test_previous_reads_the_instance_before_and_is_refused_without_one(tmp_path):
    write(tmp_path, 0, "2026-01-01T00:00:01Z stdout F first run\n")
    write(tmp_path, 1, "2026-01-01T00:00:09Z stdout F second run\n")
    assert read(tmp_path, pod(running(1, last=0))) == b"second run\n"
    assert read(tmp_path, pod(running(1, last=0)), previous=True) == b"first run\n"
    with pytest.raises(BadRequest, match='previous terminated container "app" in pod "web" not found'):
        read(tmp_path, pod(running(0)), previous=True)


def test_a_waiting_container_or_a_simulated_one_has_no_logs_with_the_kubelets_reason(tmp_path):
    with pytest.raises(BadRequest, match='container "app" in pod "web" is waiting to start: RunContainerError'):
        read(tmp_path, pod({"state": {"waiting": {"reason": "RunContainerError"}}}))
    with pytest.raises(BadRequest, match='node "local" simulates its containers'):
        read(tmp_path, pod({"state": {"running": {}}, "containerID": "kubelite://app"}))


def test_the_default_container_is_the_first_with_kubectls_note_when_there_was_a_choice():
    assert logs.default_container(pod(containers=("app",))) == ("app", None)
    assert logs.default_container(pod(containers=("app", "side"), inits=("setup",))) == \
        ("app", 'Defaulted container "app" out of: app, side, setup (init)')
    annotated = pod(containers=("app", "side"), annotations={"kubectl.kubernetes.io/default-container": "side"})
    assert logs.default_container(annotated) == ("side", None)


def test_follow_returns_what_is_written_later_and_ends_when_the_instance_has_ended(tmp_path):
    write(tmp_path, 0, "2026-01-01T00:00:01Z stdout F early\n")
    cdir = layout.container_dir(tmp_path, UID, "app")
    cdir.mkdir(parents=True)
    path = layout.log_path(tmp_path, "shop", "web", UID, "app", 0)

    def later():
        with open(path, "a") as f:
            f.write("2026-01-01T00:00:02Z stdout F la")
            f.flush()
            f.write("te\n")
        (cdir / "0.exit").write_text("{}")

    got = []
    it = logs.follow_log(tmp_path, pod(running(0)), "app", poll=0.01)
    got.append(next(it))
    t = threading.Thread(target=later)
    t.start()
    try:
        got.extend(it)
    finally:
        t.join()
    assert b"".join(got) == b"early\nlate\n"


def test_since_durations_parse_like_go():
    assert logs.parse_since("1h30m") == 5400
    assert logs.parse_since("500ms") == 0.5
    with pytest.raises(ValueError):
        logs.parse_since("soon")
