"""`kubelite logs` over real processes: pods, deploy/ and job/, and kubectl's messages."""
from __future__ import annotations

import json

from tests.controllers.helpers import node_yaml, objects
from tests.processes import until

PROCESS_NODE = node_yaml("local", labels={"kubelite.io/runtime": "process"})


def _job(name: str, script: str) -> str:
    return json.dumps({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name}, "spec": {"template": {"spec": {
        "restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox", "command": ["sh", "-c", script]}]}}}}) + "\n---\n"


def _reconciled_until(kl, check):
    def step():
        assert kl(["reconcile", "-q"]).rc == 0
        return check()
    return until(step)


def test_logs_of_a_job_and_of_a_pod_with_two_containers_say_what_kubectl_says(kl, processes):
    two = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "two"}, "spec": {"restartPolicy": "Never", "containers": [
        {"name": "a", "image": "x", "command": ["sh", "-c", "echo from a"]},
        {"name": "b", "image": "x", "command": ["sh", "-c", "echo from b; echo more from b"]}]}}
    assert kl(["apply", "-f", "-"], stdin=PROCESS_NODE + _job("hello", "echo hello from the job") + json.dumps(two)).rc == 0
    _reconciled_until(kl, lambda: all(p["status"].get("phase") == "Succeeded" for p in objects(kl, "pods")))
    r = kl(["logs", "job/hello"])
    assert (r.rc, r.out, r.err) == (0, "hello from the job\n", "")
    r = kl(["logs", "two"])
    assert r.out == "from a\n" and r.err == 'Defaulted container "a" out of: a, b\n'
    assert kl(["logs", "pod/two", "-c", "b", "--tail", "1"]).out == "more from b\n"
    stamped = kl(["logs", "two", "b", "--timestamps"]).out.splitlines()
    assert [line.split(" ", 1)[1] for line in stamped] == ["from b", "more from b"]
    assert stamped[0][:4].isdigit() and stamped[0].split(" ")[0].endswith("Z")
    r = kl(["logs", "two", "-c", "zz"])
    assert r.rc == 1 and r.err == "error: container zz is not valid for pod two\n"
    r = kl(["logs", "two", "-c", "a", "--previous"])
    assert r.rc == 1 and r.err == 'Error from server (BadRequest): previous terminated container "a" in pod "two" not found\n'


def test_logs_of_a_pod_on_a_simulated_node_explain_that_it_has_none(kl):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sim"}, "spec": {"containers": [{"name": "c", "image": "x"}]}}
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + json.dumps(pod))
    assert kl(["reconcile"]).rc == 0
    r = kl(["logs", "sim"])
    assert r.rc == 1 and 'node "n1" simulates its containers' in r.err
