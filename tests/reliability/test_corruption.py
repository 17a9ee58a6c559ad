"""Corruption and faults: damaged object files, `kubelite doctor`, a read-only state directory
and a disk that fills up mid-write.

A damaged object file (truncated, hand-edited into invalid YAML or into an invalid object):
- `get` lists every other object, with one warning naming the file;
- `reconcile` skips it, reports it by name (exit 1, degraded) and finishes the pass for
  everything else, leaving the file as it found it;
- `doctor` finds it, and `doctor --fix` moves it (byte for byte) into STATE/quarantine/.

Faults: an unwritable state directory and ENOSPC in the middle of a write give one clear
error and leave no partial state: the old file intact and no temporary file behind.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.reliability import helpers as h

POD = "registry/pods/shop/db-0.yaml"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """samples/ applied and converged: nodes, a Deployment, a StatefulSet with claims, a Job, a DaemonSet."""
    root = tmp_path_factory.mktemp("corruption")
    state, cache = root / "template", root / "cache"
    env = h.env_for(state, cache, strict=True)
    assert h.run(["apply", "-f", REPO / "samples"], env).rc == 0
    r = h.run(["reconcile", "--until-stable", "-q"], env)
    assert r.rc == 0, r.err
    return state, cache


@pytest.fixture
def store(template, tmp_path):
    state, cache = template
    mine = tmp_path / "state"
    shutil.copytree(state, mine, symlinks=True)
    return mine, h.env_for(mine, cache, strict=True)


def _web_pods(env) -> list[str]:
    r = h.run(["get", "pods", "-n", "shop", "-l", "app=web", "--field-selector", "status.phase=Running", "-o", "name"], env)
    return r.out.split()


def _truncate_to_invalid_yaml(text: str) -> str:
    """Cut inside a flow or quoted scalar so the YAML no longer parses."""
    return text[: text.index("creationTimestamp: \"") + len("creationTimestamp: \"2026")]


def _truncate_at_line(text: str) -> str:
    """Cut at a line boundary: still YAML, but the object is missing most of itself."""
    return text[: text.index("\nspec:")] + "\n"


def _truncate_mid_namespace(text: str) -> str:
    """Cut inside `namespace: shop`: parses, but names another namespace."""
    return text[: text.index("namespace: shop") + len("namespace: sh")]


CORRUPTIONS = {
    # truncations
    "truncated-to-invalid-yaml": _truncate_to_invalid_yaml,
    "truncated-to-empty": lambda t: "",
    "truncated-half-bytes": lambda t: t[: len(t) // 2] + "\n  - [",
    # hand edits into invalid YAML
    "invalid-yaml-unclosed-flow": lambda t: t.replace("metadata:", "metadata: {", 1),
    "invalid-yaml-duplicate-key": lambda t: t.replace("kind: Pod", "kind: Pod\nkind: Pod", 1),
    "invalid-yaml-tab": lambda t: t.replace("\n  name:", "\n\tname:", 1),
    "binary-garbage": lambda t: "\x00\x01garbage",
    "not-an-object": lambda t: "- a\n- b\n",
}
# Parse as YAML, but are not the object their path names, or have top-level fields of the wrong type.
INVALID_OBJECTS = {
    "truncated-at-a-line": _truncate_at_line,
    "truncated-mid-namespace": _truncate_mid_namespace,
    "wrong-kind": lambda t: t.replace("kind: Pod", "kind: ConfigMap", 1),
    "wrong-name": lambda t: t.replace("\n  name: db-0\n", "\n  name: db-9\n", 1),
    "spec-not-a-mapping": lambda t: t[: t.index("\nspec:")] + "\nspec: hello\n",
    "status-a-list": lambda t: t[: t.index("\nstatus:")] + "\nstatus: [1, 2]\n",
}


def _corrupt(state: Path, how) -> bytes:
    path = state / POD
    data = how(path.read_text()).encode("utf-8", "surrogateescape")
    path.write_bytes(data)
    return data


@pytest.mark.parametrize("name", sorted(CORRUPTIONS) + sorted(INVALID_OBJECTS))
def test_get_lists_the_rest_with_a_warning_naming_the_file(store, name):
    state, env = store

    def names(r) -> set[str]:
        return {"pod/" + o["metadata"]["name"] for o in json.loads(r.out)["items"]}

    before = names(h.run(["get", "pods", "-A", "-o", "json"], env))
    _corrupt(state, {**CORRUPTIONS, **INVALID_OBJECTS}[name])
    r = h.run(["get", "pods", "-A", "-o", "json"], env)
    assert r.rc == 0, r.err
    assert names(r) == before - {"pod/db-0"}
    warnings = r.err.splitlines()
    assert len(warnings) == 1 and str(state / POD) in warnings[0] and warnings[0].startswith("Warning:"), r.err
    # -o name lists file names without opening the files: the damaged one is named, silently
    r = h.run(["get", "pods", "-A", "-o", "name"], env)
    assert r.rc == 0 and set(r.out.split()) == before and r.err == "", r.err
    # the table printers too, and a single-object get names the file in its one error line
    r = h.run(["get", "pods", "-A", "-o", "wide"], env)
    assert r.rc == 0 and "db-1" in r.out and "Traceback" not in r.err, r.err
    r = h.run(["get", "pod", "db-0", "-n", "shop"], env)
    assert r.rc == 1 and len(r.err.splitlines()) == 1 and str(state / POD) in r.err, r.err


def _reconcile_skips_and_finishes(state: Path, env: dict, damaged: bytes) -> None:
    r = h.run(["scale", "deployment", "web", "-n", "shop", "--replicas=5"], env)
    assert r.rc == 0, r.err
    r = h.run(["reconcile"], env)
    assert r.rc == 1, f"expected exit 1 (degraded): {r.rc}\n{r.err}"
    assert str(state / POD) in r.err, r.err
    assert "Traceback" not in r.err
    assert len(_web_pods(env)) == 5, "the pass did not finish for the other objects"
    assert (state / POD).read_bytes() == damaged, "reconcile changed the damaged file"


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_reconcile_skips_a_damaged_file_reports_it_and_finishes_the_pass(store, name):
    state, env = store
    _reconcile_skips_and_finishes(state, env, _corrupt(state, CORRUPTIONS[name]))


@pytest.mark.parametrize("name", sorted(INVALID_OBJECTS))
def test_reconcile_skips_a_file_that_is_not_its_object(store, name):
    state, env = store
    _reconcile_skips_and_finishes(state, env, _corrupt(state, INVALID_OBJECTS[name]))


def test_an_unreadable_owner_does_not_get_its_dependents_collected(store):
    state, env = store
    rs = next((state / "registry/replicasets/shop").glob("web-*.yaml"))
    rs.write_text("apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: [\n")
    before = _web_pods(env)
    r = h.run(["reconcile"], env)
    assert r.rc == 1 and str(rs) in r.err
    assert _web_pods(env) == before, "running pods were deleted because their owner's file is damaged"


def test_an_unreadable_node_keeps_its_pods_and_lease(store):
    state, env = store
    (state / "registry/nodes/node-1.yaml").write_text("")
    before = set(h.run(["get", "pods,leases", "-A", "-o", "name"], env).out.split())
    r = h.run(["reconcile"], env)
    assert r.rc == 1
    after = set(h.run(["get", "pods,leases", "-A", "-o", "name"], env).out.split())
    assert before <= after, f"deleted: {sorted(before - after)}"


@pytest.mark.parametrize("name", ["truncated-to-invalid-yaml", "binary-garbage", "wrong-kind", "truncated-mid-namespace",
                                  "spec-not-a-mapping"])
def test_doctor_finds_a_damaged_file_and_fix_quarantines_it(store, name):
    state, env = store
    damaged = _corrupt(state, {**CORRUPTIONS, **INVALID_OBJECTS}[name])
    before = h.snapshot(state)
    r = h.run(["doctor"], env)
    assert r.rc == 1 and f"{POD}: bad-file:" in r.out, r.out + r.err
    assert h.snapshot(state) == before, "doctor without --fix changed the state directory"
    r = h.run(["doctor", "--fix", "-o", "json"], env)
    report = json.loads(r.out)
    assert [f["path"] for f in report["problems"] if f["check"] == "bad-file"] == [POD]
    moved = list((state / "quarantine").rglob("db-0.yaml"))
    assert len(moved) == 1 and moved[0].read_bytes() == damaged
    assert moved[0].relative_to(state).parts[2:] == Path(POD).parts
    assert not (state / POD).exists()
    _nothing_deleted(before, h.snapshot(state))
    # The StatefulSet then makes db-0 anew; the store is clean again.
    r = h.run(["reconcile", "--until-stable", "-q"], env)
    assert r.rc == 0, r.err
    r = h.run(["doctor"], env)
    assert r.rc == 0, r.out


def _nothing_deleted(before: dict, after: dict) -> None:
    """Every file of `before` is still somewhere in `after` with the same bytes (fixing moves, never deletes)."""
    have = {v for v in after.values() if v is not None}
    lost = [k for k, v in before.items() if v is not None and v not in have]
    assert lost == [], f"doctor --fix deleted {lost}"


def test_doctor_on_a_clean_store_is_clean_and_read_only(store):
    state, env = store
    before = h.snapshot(state)
    r = h.run(["doctor"], env)
    assert r.rc == 0 and r.out.startswith("no problems found"), r.out + r.err
    r = h.run(["doctor", "--fix"], env)
    assert r.rc == 0
    assert h.snapshot(state) == before


def test_doctor_knows_custom_objects_and_a_load_balancers_health_check_port(store):
    state, env = store
    from tests.cli.test_customresources import crd, crontab

    lb = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "lb"},
          "spec": {"type": "LoadBalancer", "externalTrafficPolicy": "Local", "ports": [{"port": 80}]}}
    for docs in ([crd()], [crontab(), lb]):
        assert h.run(["apply", "-f", "-"], env, stdin=h.stream(docs)).rc == 0
    r = h.run(["doctor"], env)
    assert r.rc == 0 and r.out.startswith("no problems found"), r.out + r.err
    (state / "registry" / "crontabs.stable.example.com" / "default" / "my-new-cron-object.yaml").write_text(
        "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: my-new-cron-object, namespace: default}\n"
        "spec: {cronSpec: 5, image: x}\n")
    assert [f["path"] for f in h.doctor_findings(env)] == ["registry/crontabs.stable.example.com/default/my-new-cron-object.yaml"]


def test_doctor_reports_each_kind_of_problem_and_fix_never_deletes(store):
    state, env = store
    reg = state / "registry"
    web = next((reg / "pods/shop").glob("web-*.yaml"))
    (reg / "pods/shop/.db-1.yaml.tmp-4242-00beef").write_text("apiVersion: v1\nkind: Pod\nmeta")  # a killed writer's
    (state / ".resource-version.tmp-4242-0abcde").write_text("12")
    shutil.copy(reg / "roles/shop/pod-reader.yaml", reg / "roles/shop/.hidden.yaml")  # a name no listing reads
    shutil.copy(reg / "services/shop/web.yaml", reg / "services/shop/web-copy.yaml")  # a copy: wrong name for its file
    (state / "resource-version").write_text("7\n")  # behind the objects' resourceVersions
    svc = (reg / "services/shop/web.yaml").read_text()
    ip = next(line.split(": ")[1].strip().strip('"') for line in svc.splitlines() if line.strip().startswith("clusterIP:"))
    (state / "allocations/clusterips" / ip).unlink()  # a Service's ClusterIP without its marker
    (state / "allocations/clusterips/10.96.200.200").write_text("shop/gone")  # a marker without a Service
    # a second Service claiming the same ClusterIP
    (reg / "services/shop/twin.yaml").write_text(svc.replace("name: web", "name: twin", 1).replace("uid: ", "uid: 0", 1))
    # a pod with another pod's IP, and one owned by a ReplicaSet that is gone
    other = (reg / "pods/shop/db-1.yaml").read_text()
    web_ip = next(line.split(": ")[1].strip().strip('"') for line in web.read_text().splitlines() if line.strip().startswith("podIP:"))
    import re

    (reg / "pods/shop/db-1.yaml").write_text(re.sub(r"podIP: .*", f"podIP: {web_ip}", other, count=1))
    orphan = web.read_text().replace("uid: ", "uid: 9", 1).replace(web.stem, "web-orphan")
    orphan = re.sub(r"(ownerReferences:\n(?:.*\n)*?\s+uid: )", r"\g<1>0", orphan, count=1)
    (reg / "pods/shop/web-orphan.yaml").write_text(orphan)
    # a claim bound to a volume that is gone
    pvc = (reg / "persistentvolumeclaims/shop/data-db-0.yaml").read_text()
    vol = next(line.split(": ")[1].strip().strip('"') for line in pvc.splitlines() if line.strip().startswith("volumeName:"))
    (reg / f"persistentvolumes/{vol}.yaml").unlink()
    before = h.snapshot(state)
    r = h.run(["doctor", "-o", "json"], env)
    assert r.rc == 1
    found = {(f["check"], f["path"] or f["object"]) for f in json.loads(r.out)["problems"]}
    for want in [("temp-file", "registry/pods/shop/.db-1.yaml.tmp-4242-00beef"), ("temp-file", ".resource-version.tmp-4242-0abcde"),
                 ("bad-file", "registry/services/shop/web-copy.yaml"), ("bad-file", "registry/roles/shop/.hidden.yaml"),
                 ("rv-counter", "resource-version"),
                 ("unrecorded-allocation", f"allocations/clusterips/{ip}"), ("stale-allocation", "allocations/clusterips/10.96.200.200"),
                 ("duplicate-cluster-ip", "*"), ("duplicate-pod-ip", "*"), ("duplicate-uid", "*"),
                 ("dangling-owner", "pod/shop/web-orphan"), ("orphaned-claim", "persistentvolumeclaim/shop/data-db-0")]:
        assert want in found or (want[1] == "*" and any(c == want[0] for c, _ in found)), (want, sorted(found))
    r = h.run(["doctor", "--fix"], env)
    assert r.rc == 1  # duplicates, owners and claims are left to reconcile (and the user)
    _nothing_deleted(before, h.snapshot(state))
    assert int((state / "resource-version").read_text()) > max(
        int(o["metadata"]["resourceVersion"]) for o in h.scan(state).objects.values())
    assert (state / "allocations/clusterips" / ip).read_text() == "shop/web"
    assert not list(reg.rglob(".*.tmp-*")) and not (reg / "services/shop/web-copy.yaml").exists()
    r = h.run(["doctor", "-o", "json"], env)
    left = {f["check"] for f in json.loads(r.out)["problems"]}
    assert left <= {"duplicate-cluster-ip", "duplicate-pod-ip", "duplicate-uid", "dangling-owner", "orphaned-claim",
                    "unrecorded-allocation", "stale-allocation"}, left
    assert not left & {"temp-file", "bad-file", "rv-counter"}


def test_doctor_repairs_a_counter_that_is_not_a_number(store):
    state, env = store
    (state / "resource-version").write_text("garbage\x00")
    r = h.run(["apply", "-f", "-"], env, stdin="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: shop}\n")
    assert r.rc == 1 and "corrupt resourceVersion counter" in r.err and len(r.err.splitlines()) == 1, r.err
    r = h.run(["doctor", "--fix"], env)
    assert r.rc == 0, r.out + r.err
    r = h.run(["apply", "-f", "-"], env, stdin="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: shop}\n")
    assert r.rc == 0, r.err


def test_a_lost_counter_never_repeats_a_resource_version(store):
    state, env = store
    highest = max(int(o["metadata"]["resourceVersion"]) for o in h.scan(state).objects.values())
    (state / "resource-version").unlink()
    r = h.run(["create", "configmap", "after-loss", "-n", "shop", "-o", "json"], env)
    assert r.rc != 0 or int(json.loads(r.out)["metadata"]["resourceVersion"]) > highest, r.out


def test_doctor_repairs_a_lost_counter(store):
    state, env = store
    (state / "resource-version").unlink()
    r = h.run(["doctor", "-o", "json"], env)
    assert r.rc == 1 and [f["check"] for f in json.loads(r.out)["problems"]] == ["rv-counter"], r.out
    assert h.run(["doctor", "--fix"], env).rc == 0
    highest = max(int(o["metadata"]["resourceVersion"]) for o in h.scan(state).objects.values())
    r = h.run(["create", "configmap", "after-fix", "-n", "shop", "-o", "json"], env)
    assert r.rc == 0 and int(json.loads(r.out)["metadata"]["resourceVersion"]) > highest


def test_a_torn_or_garbled_audit_log_still_reads(store):
    state, env = store
    assert h.run(["label", "deployment", "web", "-n", "shop", "x=y"], env).rc == 0
    with open(state / "audit.log", "ab") as f:
        f.write(b'{"kind": "Event", "verb": "upd')  # a line torn by a killed writer
        f.write(b"\n\xff\xfe garbage\n42\n[1]\n")
    assert h.run(["annotate", "deployment", "web", "-n", "shop", "a=b"], env).rc == 0
    r = h.run(["audit"], env)
    assert r.rc == 0 and r.err == "", r.err
    assert "patch" in r.out


def test_doctor_does_not_create_a_state_directory(tmp_path):
    env = h.env_for(tmp_path / "nope", tmp_path / "cache")
    r = h.run(["doctor"], env)
    assert r.rc == 1 and len(r.err.splitlines()) == 1 and "not a kubelite state directory" in r.err
    assert not (tmp_path / "nope").exists()


# -- an unwritable state directory --------------------------------------------------------------

_RO = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'


def _read_only_mounts_work(tmp: Path) -> bool:
    """Root ignores file modes, so a read-only directory is a read-only bind mount, made in a
    private mount namespace (unshare -m) so nothing outside the test sees it."""
    if not shutil.which("unshare"):
        return False
    tmp.mkdir(exist_ok=True)
    try:
        p = subprocess.run(["unshare", "-m", "sh", "-c", _RO + " 2>/dev/null", str(tmp), "sh", "-c", f"! touch {tmp}/probe"],
                           capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return p.returncode == 0 and not (tmp / "probe").exists()


@pytest.mark.parametrize("read_only", ["state-dir", "registry"])
def test_a_read_only_state_directory_gives_one_clear_error_and_changes_nothing(store, tmp_path, read_only):
    """All of STATE read-only (the lock cannot be taken), or only STATE/registry (the write itself fails)."""
    state, env = store
    if not _read_only_mounts_work(tmp_path / "probe"):
        pytest.skip("no read-only bind mounts here (needs unshare -m and mount); the in-process EROFS tests still run")
    target = state if read_only == "state-dir" else state / "registry"
    assert h.run(["scale", "deployment", "web", "-n", "shop", "--replicas=5"], env).rc == 0  # work for reconcile
    before = h.snapshot(state)
    stdin = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config, namespace: shop}\ndata: {a: changed}\n"
    for args in (["apply", "-f", "-"], ["delete", "configmap", "web-config", "-n", "shop"],
                 ["label", "deployment", "web", "-n", "shop", "x=y"], ["scale", "deployment", "web", "-n", "shop", "--replicas=4"],
                 ["doctor", "--fix"], ["reconcile"]):
        p = subprocess.run(["unshare", "-m", "sh", "-c", _RO, str(target), h.KUBELITE] + args, input=stdin,
                           capture_output=True, env=env, timeout=120)
        err = p.stderr.decode()
        if args[0] == "doctor" and read_only == "registry":
            assert p.returncode == 0, err  # nothing to fix: it never writes
            continue
        assert p.returncode != 0, (args, p.stdout)
        assert "Traceback" not in err and "internal error" not in err, err
        assert any(w in err for w in ("cannot write to state directory", "cannot lock state directory", "cannot delete",
                                      "committing writes")) and "Read-only file system" in err, err
        if args[0] != "reconcile":  # reconcile reports each object it could not write, and goes on
            assert len(err.splitlines()) == 1, err
        after = h.snapshot(state)
        # The resourceVersion counter (outside registry/) may move on: a gap, never a repeat.
        assert {k: v for k, v in after.items() if k != "resource-version"} == \
               {k: v for k, v in before.items() if k != "resource-version"}, args
        assert int(after["resource-version"]) >= int(before["resource-version"])
    r = h.run(["get", "pods", "-n", "shop", "-o", "name"], env)  # and it all still reads
    assert r.rc == 0 and "pod/db-0" in r.out


# -- in-process faults: EROFS on rename, ENOSPC mid-write ------------------------------------------

@pytest.fixture
def api(store):
    from kubelite.apiserver import APIServer
    from kubelite.clock import Clock, parse_time

    state, env = store
    return APIServer.open(state, Clock(parse_time(h.NOW)))


CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-config", "namespace": "shop"}, "data": {"a": "changed"}}
NEW = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "brand-new", "namespace": "shop"}, "data": {"a": "b"}}


def _fails_cleanly(api, monkeypatch, fault: str, want: str, batched: bool) -> None:
    from kubelite.errors import StateError

    state = api.store.root
    before = h.snapshot(state)
    real_write, real_replace = os.write, os.replace

    def in_state(path_or_fd) -> bool:
        target = os.readlink(f"/proc/self/fd/{path_or_fd}") if isinstance(path_or_fd, int) else os.fspath(path_or_fd)
        return target.startswith(str(state))

    def full_disk(fd, data):
        if in_state(fd):
            real_write(fd, bytes(data)[: max(1, len(data) // 2)])  # part of it reaches the file first
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    def read_only(src, dst, *a, **k):
        if in_state(dst):
            raise OSError(errno.EROFS, "Read-only file system")
        return real_replace(src, dst, *a, **k)

    if fault == "ENOSPC":
        monkeypatch.setattr(os, "write", full_disk)
    else:
        monkeypatch.setattr(os, "replace", read_only)
    for manifest in (CM, NEW):
        with pytest.raises(StateError) as e:
            if batched:
                with api.store.batch():
                    api.apply(json.loads(json.dumps(manifest)))
            else:
                api.apply(json.loads(json.dumps(manifest)))
        assert want in e.value.message and "\n" not in e.value.message, e.value.message
    monkeypatch.undo()
    after = h.snapshot(state)
    new_files = sorted(set(after) - set(before) - {"locks/", "locks/store.lock"})
    assert new_files == [], f"left behind: {new_files}"
    changed = [k for k in before if after.get(k) != before[k] and not k.startswith("locks")]
    assert changed == [], f"partly written: {changed}"


@pytest.mark.parametrize("batched", [False, True], ids=["single-write", "group-commit"])
def test_a_full_disk_mid_write_leaves_the_old_file_and_no_temp_file(api, monkeypatch, batched):
    _fails_cleanly(api, monkeypatch, "ENOSPC", "no space left on device", batched)


@pytest.mark.parametrize("batched", [False, True], ids=["single-write", "group-commit"])
def test_a_read_only_file_system_leaves_the_old_file_and_no_temp_file(api, monkeypatch, batched):
    _fails_cleanly(api, monkeypatch, "EROFS", "Read-only file system" if batched else "cannot write to state directory", batched)


def test_a_full_disk_through_the_cli_is_one_line(store, tmp_path):
    """The real command, with os.write failing with ENOSPC for files in the state directory."""
    state, env = store
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(
        "import errno, os\n"
        "_w = os.write\n"
        f"_root = {str(state)!r}\n"
        "def write(fd, data):\n"
        "    try:\n"
        "        target = os.readlink(f'/proc/self/fd/{fd}')\n"
        "    except OSError:\n"
        "        target = ''\n"
        "    if target.startswith(_root) and 'audit.log' not in target:\n"
        "        _w(fd, bytes(data)[:1])\n"
        "        raise OSError(errno.ENOSPC, 'No space left on device')\n"
        "    return _w(fd, data)\n"
        "os.write = write\n")
    before = h.snapshot(state)
    r = h.run(["apply", "-f", "-"], dict(env, PYTHONPATH=str(shim)), stdin=json.dumps(CM))
    assert r.rc == 1 and len(r.err.splitlines()) == 1 and "no space left on device" in r.err, r.err
    after = h.snapshot(state)
    assert {k: v for k, v in after.items() if k != "audit.log" and not k.startswith("locks")} == \
           {k: v for k, v in before.items() if k != "audit.log" and not k.startswith("locks")}
