"""DaemonSet: eligibility, automatic tolerations, node churn, rolling updates and status.

Pure tables reach the eligibility and rollout arithmetic; scenarios run the real CLI
(writes checked against the schemas by KUBELITE_STRICT=1) and read state in-process.
"""
from __future__ import annotations

import json

import pytest

from kubelite.api import kinds
from kubelite.controllers import _common as c
from kubelite.controllers import daemonset as dsc
from tests.controllers.helpers import at, node_yaml, reconcile

NOW = at(0)


# -- builders ------------------------------------------------------------------------------

def ds_obj(name: str = "agent", spec_extra: dict | None = None, pod_spec: dict | None = None,
           strategy: dict | None = None, image: str = "agent:1") -> dict:
    pod = {"containers": [{"name": "agent", "image": image}], **(pod_spec or {})}
    spec = {"selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": pod}}
    if strategy:
        spec["updateStrategy"] = strategy
    spec.update(spec_extra or {})
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def node(name: str, labels: dict | None = None, taints: list | None = None) -> dict:
    return {"metadata": {"name": name, "labels": labels or {}}, "spec": {"taints": taints or []}}


def pod(name: str, node_name: str, hash_: str = "new", ready: bool = True, phase: str = "Running",
        created: str = "2026-03-01T12:00:00Z", since: str = "2026-03-01T12:00:00Z") -> dict:
    return {"metadata": {"name": name, "namespace": "default", "labels": {c.REVISION_HASH: hash_}, "creationTimestamp": created},
            "spec": {"nodeName": node_name},
            "status": {"phase": phase, "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                                       "lastTransitionTime": since}]}}


def taint(key: str, effect: str, value: str = "") -> dict:
    t = {"key": key, "effect": effect}
    if value:
        t["value"] = value
    return t


# -- pure: eligibility -----------------------------------------------------------------------

AFFINITY_NOT_HDD = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
    {"matchExpressions": [{"key": "disk", "operator": "NotIn", "values": ["hdd"]}]}]}}}


@pytest.mark.parametrize("labels,taints,pod_spec,want", [
    ({}, [], {}, (True, True)),
    ({"role": "db"}, [], {"nodeSelector": {"role": "worker"}}, (False, False)),
    ({"role": "worker"}, [], {"nodeSelector": {"role": "worker"}}, (True, True)),
    ({"disk": "hdd"}, [], {"affinity": AFFINITY_NOT_HDD}, (False, False)),
    ({"disk": "ssd"}, [], {"affinity": AFFINITY_NOT_HDD}, (True, True)),
    # an untolerated NoSchedule taint: no new pod, but a running one stays
    ({}, [taint("dedicated", "NoSchedule", "gpu")], {}, (False, True)),
    ({}, [taint("dedicated", "NoSchedule", "gpu")],
     {"tolerations": [{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}]}, (True, True)),
    # an untolerated NoExecute taint evicts
    ({}, [taint("maintenance", "NoExecute")], {}, (False, False)),
    ({}, [taint("soft", "PreferNoSchedule")], {}, (True, True)),
    # the automatic tolerations: node problems and cordons do not stop daemons
    ({}, [taint("node.kubernetes.io/not-ready", "NoExecute")], {}, (True, True)),
    ({}, [taint("node.kubernetes.io/unreachable", "NoExecute"), taint("node.kubernetes.io/unreachable", "NoSchedule")], {}, (False, True)),
    ({}, [taint("node.kubernetes.io/unschedulable", "NoSchedule")], {}, (True, True)),
    ({}, [taint("node.kubernetes.io/memory-pressure", "NoSchedule"), taint("node.kubernetes.io/disk-pressure", "NoSchedule"),
          taint("node.kubernetes.io/pid-pressure", "NoSchedule")], {}, (True, True)),
    ({}, [taint("node.kubernetes.io/network-unavailable", "NoSchedule")], {}, (False, True)),
    ({}, [taint("node.kubernetes.io/network-unavailable", "NoSchedule")], {"hostNetwork": True}, (True, True)),
    ({}, [], {"nodeName": "other"}, (False, False)),
])
def test_node_should_run(labels, taints, pod_spec, want):
    assert dsc.node_should_run(node("n1", labels, taints), ds_obj(pod_spec=pod_spec)) == want


def test_automatic_tolerations_replace_a_matching_user_toleration():
    user = [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30},
            {"key": "dedicated", "operator": "Exists"}]
    tols = dsc.daemon_tolerations({"tolerations": user})
    assert tols[0] == {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}
    assert tols[1] == {"key": "dedicated", "operator": "Exists"}
    keys = [(t["key"], t["effect"]) for t in tols[2:]]
    assert keys == [("node.kubernetes.io/unreachable", "NoExecute"), ("node.kubernetes.io/disk-pressure", "NoSchedule"),
                    ("node.kubernetes.io/memory-pressure", "NoSchedule"), ("node.kubernetes.io/pid-pressure", "NoSchedule"),
                    ("node.kubernetes.io/unschedulable", "NoSchedule")]
    assert all("tolerationSeconds" not in t for t in tols)
    assert ("node.kubernetes.io/network-unavailable", "NoSchedule") in \
        [(t["key"], t["effect"]) for t in dsc.daemon_tolerations({"hostNetwork": True})]


def test_pods_are_pinned_with_match_fields_affinity():
    aff = dsc.node_affinity_for({"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "a", "operator": "Exists"}]}]},
        "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "preference": {}}]}}, "n7")
    na = aff["nodeAffinity"]
    assert na["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"] == [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n7"]}]}]
    assert na["preferredDuringSchedulingIgnoredDuringExecution"]
    p = {"spec": {"affinity": aff}}
    assert dsc.target_node(p) == "n7"
    assert c.required_node_affinity_matches(p, node("n7")) and not c.required_node_affinity_matches(p, node("n8"))
    assert dsc.target_node({"spec": {"nodeName": "n1", "affinity": aff}}) == "n1"


@pytest.mark.parametrize("terms,labels,want", [
    ([{"matchExpressions": [{"key": "gen", "operator": "Gt", "values": ["3"]}]}], {"gen": "4"}, True),
    ([{"matchExpressions": [{"key": "gen", "operator": "Lt", "values": ["3"]}]}], {"gen": "4"}, False),
    ([{"matchExpressions": [{"key": "gpu", "operator": "DoesNotExist"}]}], {}, True),
    ([{"matchExpressions": [{"key": "gpu", "operator": "Exists"}]}, {"matchExpressions": [{"key": "z", "operator": "In", "values": ["a"]}]}],
     {"z": "a"}, True),  # terms are ORed
    ([{}], {}, False),  # an empty term matches nothing
    ([], {}, False),
])
def test_node_selector_terms(terms, labels, want):
    assert c.node_selector_terms_match(terms, node("n", labels)) is want


# -- pure: manage and rolling update --------------------------------------------------------------

def test_surplus_and_finished_pods_are_deleted_keeping_the_oldest():
    ds = ds_obj()
    old = pod("a-old", "n1", created="2026-03-01T11:00:00Z")
    newer = pod("a-new", "n1", created="2026-03-01T11:30:00Z")
    needs, delete, _ = dsc.pods_should_be_on_node(node("n1"), ds, [newer, old], "new", None)
    assert not needs and [p["metadata"]["name"] for p in delete] == ["a-new"]
    failed = pod("a-failed", "n1", phase="Failed")
    needs, delete, events = dsc.pods_should_be_on_node(node("n1"), ds, [failed], "new", None)
    assert [p["metadata"]["name"] for p in delete] == ["a-failed"] and events[0][1] == "FailedDaemonPod"
    # a node that may no longer run the pod loses it
    needs, delete, _ = dsc.pods_should_be_on_node(node("n1", taints=[taint("x", "NoExecute")]), ds, [old], "new", None)
    assert [p["metadata"]["name"] for p in delete] == ["a-old"]
    assert dsc.pods_should_be_on_node(node("n2"), ds, [], "new", None)[0] is True


def _plan(strategy, node_pods, now=None):
    import datetime as dt
    now = now or dt.datetime(2026, 3, 1, 13, 0, tzinfo=dt.timezone.utc)
    ds = ds_obj(strategy={"type": "RollingUpdate", "rollingUpdate": strategy})
    nodes = {n: node(n) for n in node_pods}
    delete, create = dsc.rolling_update_plan(ds, nodes, node_pods, "new", now)
    return [p["metadata"]["name"] for p in delete], create


def test_rolling_update_max_unavailable_rounds_up():
    olds = {f"n{i}": [pod(f"p{i}", f"n{i}", "old")] for i in range(1, 4)}
    assert _plan({"maxUnavailable": 1, "maxSurge": 0}, olds) == (["p1"], [])
    assert _plan({"maxUnavailable": "34%", "maxSurge": 0}, olds) == (["p1", "p2"], [])  # 1.02 -> 2
    # one node already without a pod counts against the budget
    gap = dict(olds, n1=[])
    assert _plan({"maxUnavailable": 1, "maxSurge": 0}, gap) == ([], [])
    # an old pod that is not available is replaced at once, beyond the budget
    sick = dict(olds, n3=[pod("p3", "n3", "old", ready=False)])
    assert _plan({"maxUnavailable": 1, "maxSurge": 0}, sick) == (["p3"], [])


def test_rolling_update_max_surge_rounds_up():
    olds = {f"n{i}": [pod(f"p{i}", f"n{i}", "old")] for i in range(1, 4)}
    assert _plan({"maxUnavailable": 0, "maxSurge": 1}, olds) == ([], ["n1"])
    assert _plan({"maxUnavailable": 0, "maxSurge": "34%"}, olds) == ([], ["n1", "n2"])
    # the surged pod is not available yet: nothing more
    surging = dict(olds, n1=[pod("p1", "n1", "old"), pod("q1", "n1", "new", ready=False)])
    assert _plan({"maxUnavailable": 0, "maxSurge": 1}, surging) == ([], [])
    # it is available: the old pod on that node goes, and the next node surges
    done = dict(olds, n1=[pod("p1", "n1", "old"), pod("q1", "n1", "new")])
    assert _plan({"maxUnavailable": 0, "maxSurge": 1}, done) == (["p1"], ["n2"])


def test_status_counts_the_oldest_pod_per_node_and_misscheduled():
    import datetime as dt
    now = dt.datetime(2026, 3, 1, 13, 0, tzinfo=dt.timezone.utc)
    ds = ds_obj(pod_spec={"nodeSelector": {"role": "w"}})
    nodes = [node("n1", {"role": "w"}), node("n2", {"role": "w"}), node("n3", {"role": "w"}), node("n4")]
    node_pods = {"n1": [pod("p1", "n1", "new")], "n2": [pod("p2", "n2", "old", ready=False)], "n4": [pod("p4", "n4", "new")]}
    st = dsc.compute_status(ds, nodes, node_pods, "new", now)
    assert st == {"desiredNumberScheduled": 3, "currentNumberScheduled": 2, "numberReady": 1, "numberMisscheduled": 1,
                  "updatedNumberScheduled": 1, "numberAvailable": 1, "numberUnavailable": 2}


# -- scenarios ---------------------------------------------------------------------------------------

def _pods(api, ns: str = "default") -> list[dict]:
    return [p for p in api.list(kinds.by_kind("Pod"), ns)]


def _where(api, app: str = "agent") -> dict[str, str]:
    """node -> pod name for the daemon's pods."""
    out = {}
    for p in _pods(api):
        if (p["metadata"].get("labels") or {}).get("app") == app:
            n = p["spec"].get("nodeName") or "<unscheduled>"
            assert n not in out, f"two pods on {n}"
            out[n] = p["metadata"]["name"]
    return out


def _apply(kl, text: str) -> None:
    r = kl(["apply", "-f", "-"], stdin=text, now=NOW)
    assert r.rc == 0, r.err


def cordoned(node_doc: str) -> str:
    doc = json.loads(node_doc.split("\n---\n")[0])
    doc.setdefault("spec", {})["unschedulable"] = True
    return json.dumps(doc) + "\n---\n"


def _writes(kl) -> int:
    r = kl(["reconcile", "-o", "json"], now=NOW)
    assert r.rc == 0, r.out + r.err
    return json.loads(r.out)["writes"]


def test_daemon_runs_on_exactly_the_eligible_nodes_as_they_change(kl, api):
    worker = {"role": "worker"}
    _apply(kl, node_yaml("n1", labels=worker) + node_yaml("n2", labels=worker, taints=[taint("dedicated", "NoSchedule", "gpu")])
           + node_yaml("n3") + cordoned(node_yaml("n4", labels=worker))
           + json.dumps(ds_obj(pod_spec={"nodeSelector": worker})) + "\n---\n"
           + json.dumps(ds_obj("tolerant", pod_spec={"tolerations": [{"key": "dedicated", "operator": "Exists"}]})))
    out = reconcile(kl, NOW, "--until-stable")
    assert "daemonset.apps/agent: created pod agent-" in out
    # the tainted node only for the tolerating daemon; the cordoned node still runs both
    assert set(_where(api)) == {"n1", "n4"}
    assert set(_where(api, "tolerant")) == {"n1", "n2", "n3", "n4"}
    p = next(x for x in _pods(api) if x["spec"].get("nodeName") == "n1" and x["metadata"]["labels"]["app"] == "agent")
    terms = p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert terms == [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}]
    assert p["metadata"]["labels"]["pod-template-generation"] == "1"
    assert p["status"]["phase"] == "Running"
    revs = api.list(kinds.by_kind("ControllerRevision"), "default")
    agent_rev = next(r for r in revs if r["metadata"]["ownerReferences"][0]["name"] == "agent")
    assert agent_rev["metadata"]["name"] == f"agent-{p['metadata']['labels'][c.REVISION_HASH]}" and agent_rev["revision"] == 1
    ds = api.get(kinds.by_kind("DaemonSet"), "default", "agent")
    assert ds["status"] == {"desiredNumberScheduled": 2, "currentNumberScheduled": 2, "numberReady": 2, "numberMisscheduled": 0,
                            "updatedNumberScheduled": 2, "numberAvailable": 2, "observedGeneration": 1}
    r = kl(["get", "ds"], now=NOW)
    assert r.out.splitlines()[0].split() == ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE", "SELECTOR", "AGE"]
    assert r.out.splitlines()[1].split()[:7] == ["agent", "2", "2", "2", "2", "2", "role=worker"]

    # a labelled node joins and gets one; a node whose label goes loses it
    _apply(kl, node_yaml("n5", labels=worker))
    assert kl(["label", "node", "n1", "role-"], now=NOW).rc == 0
    reconcile(kl, NOW, "--until-stable")
    assert set(_where(api)) == {"n4", "n5"}
    assert set(_where(api, "tolerant")) == {"n1", "n2", "n3", "n4", "n5"}
    events = [e for e in api.list(kinds.by_kind("Event"), "default") if e["involvedObject"]["name"] == "agent"]
    assert {e["reason"] for e in events} == {"SuccessfulCreate", "SuccessfulDelete"}
    assert any(e["message"].startswith("Created pod: agent-") for e in events)
    # a node that disappears takes its pod with it
    assert kl(["delete", "node", "n5"], now=NOW).rc == 0
    reconcile(kl, NOW, "--until-stable")
    assert set(_where(api)) == {"n4"}
    assert _writes(kl) == 0


def _states(api, app: str) -> dict[str, list[tuple[str, bool]]]:
    """node -> [(hash, available)] for a daemon's pods."""
    out: dict[str, list] = {}
    for p in _pods(api):
        if p["metadata"]["labels"].get("app") == app:
            ok = p.get("status", {}).get("phase") == "Running" and c.is_ready(p)
            out.setdefault(dsc.target_node(p), []).append((p["metadata"]["labels"][c.REVISION_HASH], ok))
    return out


def test_updates_respect_max_unavailable_and_max_surge_and_on_delete_waits(kl, api):
    """Three daemons on three nodes, updated together: maxUnavailable 34% and maxSurge 34%
    both round up to 2 of 3; OnDelete replaces only the pod the user deletes."""
    bounds = {"unavail": ({"maxUnavailable": "34%", "maxSurge": 0}, 2, 0), "surge": ({"maxUnavailable": 0, "maxSurge": "34%"}, 0, 2)}

    def manifests(image: str) -> str:
        docs = [ds_obj(app, strategy={"type": "RollingUpdate", "rollingUpdate": ru}, image=image) for app, (ru, _, _) in bounds.items()]
        docs.append(ds_obj("manual", strategy={"type": "OnDelete"}, image=image))
        return "\n---\n".join(json.dumps(d) for d in docs)

    _apply(kl, node_yaml("n1") + node_yaml("n2") + node_yaml("n3") + manifests("agent:1"))
    reconcile(kl, NOW, "--until-stable")
    first = {app: {h for v in _states(api, app).values() for h, _ in v} for app in bounds}
    manual = _where(api, "manual")
    _apply(kl, manifests("agent:2"))
    peak = {app: (0, 0) for app in bounds}
    done: set[str] = set()
    for _ in range(8):
        out = reconcile(kl, NOW)
        for app, (_, max_missing, max_extra) in bounds.items():
            st = _states(api, app)
            missing = sum(1 for n in ("n1", "n2", "n3") if not any(ok for _, ok in st.get(n, [])))
            extra = sum(max(0, len(v) - 1) for v in st.values())
            assert missing <= max_missing and extra <= max_extra, (app, out, st)
            peak[app] = (max(peak[app][0], missing), max(peak[app][1], extra))
            hashes = {h for v in st.values() for h, _ in v}
            if len(st) == 3 and all(len(v) == 1 and v[0][1] for v in st.values()) and not hashes & first[app]:
                done.add(app)
        assert _where(api, "manual") == manual  # OnDelete: nothing replaced
        if done == set(bounds):
            break
    else:
        pytest.fail(f"rollout did not finish: {done}")
    assert peak == {app: (mm, me) for app, (_, mm, me) in bounds.items()}  # the bounds are used, rounded up
    assert kl(["delete", "pod", manual["n1"]], now=NOW).rc == 0
    reconcile(kl, NOW, "--until-stable")
    now = _where(api, "manual")
    assert now["n2"] == manual["n2"] and now["n1"] != manual["n1"]
    images = {p["spec"]["nodeName"]: p["spec"]["containers"][0]["image"] for p in _pods(api) if p["metadata"]["labels"]["app"] == "manual"}
    assert images == {"n1": "agent:2", "n2": "agent:1", "n3": "agent:1"}
    for app in ("unavail", "surge", "manual"):
        st = api.get(kinds.by_kind("DaemonSet"), "default", app)["status"]
        assert (st["updatedNumberScheduled"], st["numberAvailable"], st["observedGeneration"]) == \
            ((1, 3, 2) if app == "manual" else (3, 3, 2)), (app, st)
    revs = [r for r in api.list(kinds.by_kind("ControllerRevision"), "default") if r["metadata"]["ownerReferences"][0]["name"] == "surge"]
    assert sorted(r["revision"] for r in revs) == [1, 2]
