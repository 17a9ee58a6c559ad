"""pods/log through `kubelite serve`: `kubectl logs` reads what a process-runtime pod printed."""
from __future__ import annotations

import json

from tests.server.conftest import kubectl, needs_kubectl, wait_for

pytestmark = needs_kubectl

NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "local", "labels": {"kubelite.io/runtime": "process"}}}


def _pod(name: str, script: str, containers: int = 1) -> dict:
    cs = [{"name": f"c{i}" if containers > 1 else "c", "image": "busybox", "command": ["sh", "-c", script]} for i in range(containers)]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"terminationGracePeriodSeconds": 1, "containers": cs}}


def _list(*items) -> str:
    return "".join("---\n" + json.dumps(i) + "\n" for i in items)


def test_kubectl_logs_reads_a_process_pods_output(served, processes):
    docs = _list(NODE, _pod("talker", "echo hello; echo second; sleep 60"))
    r = kubectl(served, "apply -f -", stdin=docs)
    assert r.rc == 0, r.err

    def logged():
        out = kubectl(served, "logs talker")
        return out.out if out.rc == 0 and "second" in out.out else None

    assert wait_for(logged, 60) == "hello\nsecond\n"
    assert kubectl(served, "logs talker --tail=1").out == "second\n"
    ts = kubectl(served, "logs talker --timestamps").out.splitlines()
    assert len(ts) == 2 and ts[0].endswith(" hello") and ts[0][:4].isdigit()
    kubectl(served, "delete pod talker --wait=false")


def test_kubectl_logs_asks_which_container_of_several(served, processes):
    docs = _list(NODE, _pod("two", "sleep 60", containers=2))
    assert kubectl(served, "apply -f -", stdin=docs).rc == 0
    r = kubectl(served, "logs two -c nope")
    assert r.rc == 1 and "container nope is not valid for pod two" in r.err
    kubectl(served, "delete pod two --wait=false")
