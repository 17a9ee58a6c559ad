"""Shared machinery of the reliability suite (issue 9): running the real command, building and
cloning big stores, reading every object file, and the invariants a converged store keeps.

The suite is sized for CI (a few minutes on 2 cores). KUBELITE_SOAK=1 multiplies the number
of kills, concurrent writers and fuzz examples (see RELIABILITY.md).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import NamedTuple

from tests.conftest import KUBELITE, REPO

NOW = "2026-03-01T00:00:00Z"  # KUBELITE_NOW for every command: passes are deterministic
SOAK = os.environ.get("KUBELITE_SOAK") == "1"
TEMP_FILE = re.compile(r"^\.(?P<final>.+)\.tmp-\d+-[0-9a-f]+$")

sys.path.insert(0, str(REPO / "bench"))
from workload import documents  # noqa: E402


def soak(ci: int, soak_value: int) -> int:
    return soak_value if SOAK else ci


class Run(NamedTuple):
    rc: int
    out: str
    err: str
    seconds: float


def env_for(state: Path, cache: Path, strict: bool = False, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUBELITE_") and k not in ("EDITOR", "KUBE_EDITOR")}
    env.update({"KUBELITE_STATE_DIR": str(state), "KUBELITE_CACHE_DIR": str(cache), "KUBELITE_NOW": NOW})
    if strict:
        env["KUBELITE_STRICT"] = "1"
    env.update(extra)
    return env


def run(args: list[str], env: dict, stdin: str | bytes | None = None, timeout: float = 300) -> Run:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    t0 = time.perf_counter()
    p = subprocess.run([KUBELITE] + [str(a) for a in args], input=data, capture_output=True, env=env, timeout=timeout)
    return Run(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"), time.perf_counter() - t0)


def stream(docs) -> str:
    return "".join("---\n" + json.dumps(d) + "\n" for d in docs)


# -- big stores ---------------------------------------------------------------------------------

def storage_documents(volumes: int, claims: int, namespace: str = "bench-0") -> list[dict]:
    """Manual PersistentVolumes and more claims than volumes: the binder must never bind one twice."""
    out: list[dict] = []
    for i in range(volumes):
        out.append({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": f"pv-{i:03d}"},
                    "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                             "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "manual",
                             "hostPath": {"path": f"/tmp/kubelite-reliability/pv-{i:03d}"}}})
    for i in range(claims):
        out.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": f"claim-{i:03d}", "namespace": namespace},
                    "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "manual",
                             "resources": {"requests": {"storage": "1Gi"}}}})
    return out


def build_store(state: Path, cache: Path, deployments: int = 200, nodes: int = 20, volumes: int = 40, claims: int = 60,
                namespaces: int = 10, timeout: float = 300) -> dict:
    """apply bench/workload.py's documents (+ volumes and claims), then reconcile until stable."""
    env = env_for(state, cache)
    docs = list(documents(deployments, nodes, namespaces=namespaces)) + storage_documents(volumes, claims)
    r = run(["apply", "-f", "-"], env, stdin=stream(docs), timeout=timeout)
    assert r.rc == 0, r.err
    r = run(["reconcile", "--until-stable", "--max-passes", "60", "-q"], env, timeout=timeout)
    assert r.rc == 0, r.err
    return env


def clone_store(template: Path, template_cache: Path, state: Path, cache: Path) -> None:
    """Copy a converged store with shutil.copytree, object files as hard links.

    kubelite never writes an object file in place (temp file + rename, or unlink), so a linked
    copy behaves as a copy, and the parse cache (keyed by inode, size and mtime) copied along
    stays valid: every scenario starts warm instead of re-parsing thousands of files. Files
    that are written in place (audit.log, allocation markers) are real copies. The tests check
    the template is unchanged at the end, which also proves no object file was written in place.
    """
    def link_or_copy(src: str, dst: str) -> None:
        if f"{os.sep}registry{os.sep}" in src:
            os.link(src, dst)
        else:
            shutil.copy2(src, dst)

    shutil.copytree(template, state, copy_function=link_or_copy, ignore=shutil.ignore_patterns("locks"))
    src_cache = _cache_dir(template_cache, template)
    dst_cache = _cache_dir(cache, state)
    if src_cache.is_dir():
        dst_cache.mkdir(parents=True, exist_ok=True)
        for f in src_cache.glob("*.cache"):
            shutil.copy2(f, dst_cache / f.name)
        (dst_cache / "state-dir").write_text(os.path.realpath(state) + "\n")


def _cache_dir(base: Path, state: Path) -> Path:
    import hashlib

    return base / hashlib.sha256(os.path.realpath(state).encode()).hexdigest()[:16]


def fingerprint(state: Path) -> dict[str, tuple[int, int, int]]:
    """(inode, size, mtime_ns) of every file: cheap evidence that a tree was not touched."""
    out = {}
    for dirpath, _, files in os.walk(state):
        for f in files:
            p = os.path.join(dirpath, f)
            st = os.lstat(p)
            out[os.path.relpath(p, state)] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return out


def snapshot(state: Path) -> dict[str, bytes | None]:
    """Every file's bytes (and every directory, as None) under the state directory."""
    out: dict[str, bytes | None] = {}
    for dirpath, dirs, files in os.walk(state):
        for d in dirs:
            out[os.path.relpath(os.path.join(dirpath, d), state) + "/"] = None
        for f in files:
            p = os.path.join(dirpath, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, state)] = fh.read()
    return out


# -- reading every object file --------------------------------------------------------------------

class Scan(NamedTuple):
    objects: dict[tuple[str, str | None, str], dict]  # (plural, namespace, name) -> object
    temp_files: list[Path]


_PARSED: dict[tuple[int, int, int], dict] = {}  # shared by all scans: files are keyed by identity


def scan(state: Path) -> Scan:
    """Parse every object file under registry/ (new or changed files only since the last scan).

    Fails the test, naming the file, if any object file does not parse, is not a mapping, or
    is not the object its path names; temporary files are collected, never parsed as objects.
    """
    from kubelite.api import yamlio

    objects: dict[tuple[str, str | None, str], dict] = {}
    temps: list[Path] = []
    registry = state / "registry"
    for dirpath, _, files in os.walk(registry):
        rel = Path(dirpath).relative_to(registry).parts
        for f in files:
            p = Path(dirpath) / f
            if f.startswith("."):
                assert TEMP_FILE.match(f), f"unexpected hidden file {p}"
                temps.append(p)
                continue
            if not f.endswith(".yaml"):
                continue
            st = os.lstat(p)
            key = (st.st_ino, st.st_size, st.st_mtime_ns)
            obj = _PARSED.get(key)
            if obj is None:
                data = p.read_bytes()
                try:
                    obj = yamlio.load_one(data, str(p))
                except Exception as e:  # noqa: BLE001 - the failure names the file
                    raise AssertionError(f"object file {p} does not parse after a kill: {e}") from None
                assert isinstance(obj, dict) and isinstance(obj.get("metadata"), dict), f"{p} is not an object"
                _PARSED[key] = obj
            meta = obj["metadata"]
            plural, ns = rel[0], (rel[1] if len(rel) > 1 else None)
            assert meta.get("name") == f[:-5], f"{p}: metadata.name {meta.get('name')!r} is not its file name"
            if ns is not None:
                assert meta.get("namespace") == ns, f"{p}: metadata.namespace is not its folder"
            objects[(plural, ns, f[:-5])] = obj
    return Scan(objects, temps)


def seed_parsed(state: Path, cache: Path, sample: int = 300) -> int:
    """Take the objects of a freshly built store from kubelite's parse cache instead of parsing
    thousands of files again, after checking a random sample of entries against the files."""
    import random

    from kubelite.api import yamlio

    from kubelite.store.cache import ParseCache, unpack

    parsed = ParseCache(state)
    parsed.dir = _cache_dir(cache, state)
    entries: dict[tuple[int, int, int], bytes] = {}
    for f in parsed.dir.glob("*.cache"):
        for key, blob in parsed.table(f.name.split(".", 1)[0]).values():
            entries[key] = blob
    files = [p for p in (state / "registry").rglob("*.yaml") if not p.name.startswith(".")]
    for p in random.Random(1).sample(files, min(sample, len(files))):
        st = os.lstat(p)
        key = (st.st_ino, st.st_size, st.st_mtime_ns)
        if key in entries:
            assert unpack(entries[key]) == yamlio.load_one(p.read_bytes(), str(p)), f"parse cache disagrees with {p}"
    for key, blob in entries.items():
        _PARSED.setdefault(key, unpack(blob))
    return len(entries)


def temp_files(state: Path) -> list[str]:
    """Every temporary file under the state directory, relative to it (quarantine excepted)."""
    out = []
    for dirpath, dirs, files in os.walk(state):
        if Path(dirpath) == state:
            dirs[:] = [d for d in dirs if d not in ("quarantine", "locks")]
        out += [os.path.relpath(os.path.join(dirpath, f), state) for f in files if TEMP_FILE.match(f)]
    return sorted(out)


def final_of(temp: Path) -> Path:
    """The object file a temporary file was about to replace."""
    return temp.with_name(TEMP_FILE.match(temp.name).group("final"))


def of_kind(s: Scan, plural: str) -> list[dict]:
    return [o for (p, _, _), o in s.objects.items() if p == plural]


# -- the invariants of a converged store -------------------------------------------------------------

def _terminating(o: dict) -> bool:
    return bool(o["metadata"].get("deletionTimestamp"))


def _controller_uid(o: dict) -> str | None:
    for r in o["metadata"].get("ownerReferences") or []:
        if r.get("controller"):
            return r.get("uid")
    return None


def converged_problems(s: Scan, expect_all_running: bool = True) -> list[str]:
    """What is wrong with a store that `reconcile --until-stable` just left (empty: nothing)."""
    problems: list[str] = []
    uids = {o["metadata"].get("uid") for o in s.objects.values()}
    # no orphans: every owner reference points at an object that exists
    for (plural, ns, name), o in s.objects.items():
        for r in o["metadata"].get("ownerReferences") or []:
            if r.get("uid") not in uids:
                problems.append(f"orphan: {plural}/{ns}/{name} is owned by missing {r.get('kind')}/{r.get('name')}")
    pods = [p for p in of_kind(s, "pods") if not _terminating(p)]
    by_owner: dict[str, list[dict]] = defaultdict(list)
    for p in pods:
        by_owner[_controller_uid(p) or ""].append(p)
    # no pods beyond replicas, per ReplicaSet; each Deployment fully rolled out
    rs_by_owner: dict[str, list[dict]] = defaultdict(list)
    for rs in of_kind(s, "replicasets"):
        m = rs["metadata"]
        want = (rs.get("spec") or {}).get("replicas", 1)
        have = len(by_owner.get(m["uid"], []))
        if have != want:
            problems.append(f"replicaset {m['namespace']}/{m['name']}: {have} pods for replicas {want}")
        rs_by_owner[_controller_uid(rs) or ""].append(rs)
    for d in of_kind(s, "deployments"):
        m = d["metadata"]
        want = (d.get("spec") or {}).get("replicas", 1)
        rss = rs_by_owner.get(m["uid"], [])
        live = [rs for rs in rss if (rs.get("spec") or {}).get("replicas", 0) > 0]
        owned = [p for rs in rss for p in by_owner.get(rs["metadata"]["uid"], [])]
        if len(owned) != want or len(live) > 1:
            problems.append(f"deployment {m['namespace']}/{m['name']}: {len(owned)} pods in {len(live)} live replica sets for replicas {want}")
        if expect_all_running:
            running = sum(1 for p in owned if (p.get("status") or {}).get("phase") == "Running")
            if running != want:
                problems.append(f"deployment {m['namespace']}/{m['name']}: {running} of {want} pods Running")
    # unique pod IPs, ClusterIPs and NodePorts
    ips = Counter((p.get("status") or {}).get("podIP") for p in pods
                  if (p.get("status") or {}).get("podIP") and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed"))
    problems += [f"pod IP {ip} used {n} times" for ip, n in ips.items() if n > 1]
    cips: Counter = Counter()
    ports: Counter = Counter()
    for svc in of_kind(s, "services"):
        spec = svc.get("spec") or {}
        for ip in spec.get("clusterIPs") or [spec.get("clusterIP")]:
            if ip and ip != "None":
                cips[ip] += 1
        for p in spec.get("ports") or []:
            if p.get("nodePort"):
                ports[(p["nodePort"], p.get("protocol", "TCP"))] += 1
    problems += [f"ClusterIP {ip} used {n} times" for ip, n in cips.items() if n > 1]
    problems += [f"NodePort {p} used {n} times" for p, n in ports.items() if n > 1]
    # each claim bound at most once, and claim and volume agree
    claims = {(c["metadata"]["namespace"], c["metadata"]["name"]): c for c in of_kind(s, "persistentvolumeclaims")}
    bound: Counter = Counter()
    for pv in of_kind(s, "persistentvolumes"):
        ref = (pv.get("spec") or {}).get("claimRef")
        if ref and (pv.get("status") or {}).get("phase") == "Bound":
            bound[(ref.get("namespace"), ref.get("name"), ref.get("uid"))] += 1
            claim = claims.get((ref.get("namespace"), ref.get("name")))
            if claim is None or (claim.get("spec") or {}).get("volumeName") != pv["metadata"]["name"]:
                problems.append(f"volume {pv['metadata']['name']} is Bound to {ref.get('namespace')}/{ref.get('name')}, which does not name it")
    problems += [f"claim {k[0]}/{k[1]} bound by {n} volumes" for k, n in bound.items() if n > 1]
    return problems


def doctor_findings(env: dict, *args: str, timeout: float = 300) -> list[dict]:
    r = run(["doctor", "-o", "json", *args], env, timeout=timeout)
    assert r.rc in (0, 1), r.err
    return json.loads(r.out)["problems"]
