"""The pod lifecycle decision both kubelets share: pure, tested without processes."""
from __future__ import annotations

import datetime as dt

from kubelite.controllers import _podlifecycle as lc

T = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.timezone.utc)


def stamp(seconds: float) -> str:
    return (T + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def pod(policy="Always", inits=()):
    return {"metadata": {"name": "p", "namespace": "default", "uid": "u"},
            "spec": {"restartPolicy": policy, "containers": [{"name": "app", "image": "x"}],
                     "initContainers": [{"name": n, "image": "x"} for n in inits]}}


def exited(code: int, finished: float, streak: int = 1, restart: int = 0, ran: float = 1) -> lc.Seen:
    return lc.Seen("exited", restart, stamp(finished - ran), stamp(finished), code, streak=streak)


def test_the_back_off_doubles_from_ten_seconds_to_five_minutes():
    assert [lc.backoff(n) for n in range(1, 8)] == [10, 20, 40, 80, 160, 300, 300]


def test_a_run_of_ten_minutes_resets_the_back_off():
    assert lc.ran_long(exited(1, 700, ran=600)) and not lc.ran_long(exited(1, 700, ran=599))


def test_an_exited_container_restarts_only_once_its_back_off_has_passed_and_by_its_policy():
    s = exited(1, 0, streak=2, restart=3)
    assert lc.decide(pod(), {"app": s}, T + dt.timedelta(seconds=19)).backoff == {"app": 20}
    assert lc.decide(pod(), {"app": s}, T + dt.timedelta(seconds=20)).start == {"app": 4}
    assert lc.decide(pod("Never"), {"app": s}, T + dt.timedelta(seconds=99)).final == {"app"}
    assert lc.decide(pod("OnFailure"), {"app": exited(0, 0)}, T + dt.timedelta(seconds=99)).final == {"app"}
    assert lc.decide(pod(), {"app": None}, T).start == {"app": 0}


def test_init_containers_start_one_at_a_time_and_the_app_after_them():
    p = pod("Always", inits=("a", "b"))
    assert lc.decide(p, {"a": None, "b": None, "app": None}, T).start == {"a": 0}
    assert lc.decide(p, {"a": exited(0, 0), "b": None, "app": None}, T).start == {"b": 0}
    assert lc.decide(p, {"a": exited(0, 0), "b": exited(0, 0), "app": None}, T).start == {"app": 0}
    failed = lc.decide(pod("Never", inits=("a",)), {"a": exited(1, 0), "app": None}, T)
    assert failed.final == {"a"} and not failed.start


def test_status_shows_crash_loop_back_off_with_the_last_termination_and_a_running_phase():
    p = pod()
    s = exited(1, 0, restart=0)
    act = lc.decide(p, {"app": s}, T + dt.timedelta(seconds=1))
    st = lc.pod_status(p, {}, {"app": s}, act, stamp(1), "127.0.0.1", "127.0.0.1")
    cs = st["containerStatuses"][0]
    assert st["phase"] == "Running" and cs["restartCount"] == 1 and cs["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert cs["lastState"]["terminated"]["exitCode"] == 1 and cs["lastState"]["terminated"]["reason"] == "Error"
    ready = next(c for c in st["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "False" and ready["message"] == "containers with unready status: [app]"


def test_a_container_that_could_not_be_created_keeps_the_pod_pending():
    p = pod()
    s = lc.Seen("waiting", reason="RunContainerError", message="no command")
    st = lc.pod_status(p, {}, {"app": s}, lc.Actions(), stamp(0), "127.0.0.1", "127.0.0.1")
    assert st["phase"] == "Pending" and "podIP" not in st
    assert st["containerStatuses"][0]["state"]["waiting"] == {"reason": "RunContainerError", "message": "no command"}
