"""Hostile input: every entry of tests/data/hostile/ (plus a 50 MB document and nesting 10,000
deep, made at test time) is refused by `kubelite apply -f ENTRY`:

- a non-zero exit in under 2 s,
- exactly one line on stderr, never a traceback or an internal error, nothing on stdout,
- the state directory byte for byte as it was (every file and folder).

Names that would reach other files (`../`, `/`) are also tried where they are most dangerous:
`delete -f`, and names and namespaces given on the command line, against a Secret they must
never reach.
"""
from __future__ import annotations

import shutil
import time

import pytest

from tests.reliability import helpers as h
from tests.reliability.hostile_corpus import CORPUS, GENERATED, static_entries

LIMIT = 30.0  # a hang detector for blow-ups (alias bombs, deep nesting); speed is a bench figure
ENTRIES = sorted(p.name for p in CORPUS.iterdir() if p.is_file() and p.name != "README.md")
SECRET_VALUE = "aHVudGVyMg=="  # base64 of the Secret below: must never be printed


def test_the_committed_corpus_is_current():
    """tests/data/hostile/ is what hostile_corpus.py writes (regenerate with python -m ...)."""
    want = static_entries()
    assert sorted(want) == ENTRIES
    for name, data in want.items():
        assert (CORPUS / name).read_bytes() == data, name


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A state directory holding objects the corpus names: a Deployment, a ConfigMap, a Role, a Secret."""
    root = tmp_path_factory.mktemp("hostile")
    state, cache = root / "template", root / "cache"
    env = h.env_for(state, cache, strict=True)
    good = root / "good.yaml"
    good.write_text(h.stream([
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
         "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                  "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "b"}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "reader"},
         "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "topsecret"}, "data": {"password": SECRET_VALUE}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "bot"}},
    ]))
    r = h.run(["apply", "-f", good], env)
    assert r.rc == 0, r.err
    r = h.run(["reconcile", "--until-stable", "-q"], env)
    assert r.rc == 0, r.err
    r = h.run(["apply", "-f", good], env)  # a write that changes nothing: every lock file exists now
    assert r.rc == 0 and "unchanged" in r.out, r.out + r.err
    return state, cache, h.snapshot(state)


@pytest.fixture
def store(template, tmp_path):
    state, cache, snap = template
    mine = tmp_path / "state"
    shutil.copytree(state, mine, symlinks=True)
    assert h.snapshot(mine) == snap
    return mine, h.env_for(mine, cache, strict=True)


def _refused(store, args: list[str], stdin: bytes | None = None) -> str:
    state, env = store
    before = h.snapshot(state)
    r = h.run(args, env, stdin=stdin, timeout=60)
    assert r.rc != 0, f"accepted: {r.out}"
    assert r.seconds < LIMIT, f"took {r.seconds:.2f}s"
    assert "Traceback" not in r.err and "internal error" not in r.err, r.err
    lines = r.err.splitlines()
    assert len(lines) == 1 and lines[0].strip(), f"expected one line on stderr, got {len(lines)}: {r.err!r}"
    assert r.out == "", r.out
    assert SECRET_VALUE not in r.err
    after = h.snapshot(state)
    assert after.keys() == before.keys(), f"files added {sorted(after.keys() - before.keys())}, removed {sorted(before.keys() - after.keys())}"
    assert [k for k in after if after[k] != before[k]] == []
    return lines[0]


@pytest.mark.parametrize("entry", ENTRIES)
def test_apply_refuses_hostile_entry(store, entry):
    _refused(store, ["apply", "-f", CORPUS / entry])


@pytest.mark.parametrize("entry", sorted(GENERATED))
def test_apply_refuses_huge_and_deep_documents(store, entry, tmp_path):
    path = GENERATED[entry](tmp_path / entry)
    line = _refused(store, ["apply", "-f", path])
    assert ("too large" in line) if "huge" in entry else ("depth" in line)


@pytest.mark.parametrize("entry", ["huge-document-50mb.yaml", "deep-flow-10000.yaml"])
def test_apply_from_stdin_refuses_huge_and_deep_documents(store, entry, tmp_path):
    data = GENERATED[entry](tmp_path / entry).read_bytes()
    _refused(store, ["apply", "-f", "-"], stdin=data)


@pytest.mark.parametrize("entry", ["binary-garbage.bin", "alias-bomb-lists.yaml", "non-utf8-latin1.yaml"])
def test_apply_from_stdin_refuses_garbage(store, entry):
    _refused(store, ["apply", "-f", "-"], stdin=(CORPUS / entry).read_bytes())


NAME_ENTRIES = [e for e in ENTRIES if e.startswith(("name-", "namespace-"))]


@pytest.mark.parametrize("entry", NAME_ENTRIES)
def test_delete_and_replace_refuse_hostile_names(store, entry):
    """`delete -f` and `replace -f` with a name like ../../secrets/default/topsecret touch nothing."""
    _refused(store, ["delete", "-f", CORPUS / entry])
    _refused(store, ["replace", "-f", CORPUS / entry])


TRAVERSALS = [
    ["get", "configmap", "../../secrets/default/topsecret", "-o", "yaml"],
    ["get", "configmap/../../secrets/default/topsecret", "-o", "yaml"],
    ["get", "roles/../../secrets/default/topsecret", "-o", "json"],
    ["describe", "configmap/../../secrets/default/topsecret"],
    ["delete", "configmap/../../secrets/default/topsecret"],
    ["delete", "role", "../../secrets/default/topsecret"],
    ["label", "configmap/../../secrets/default/topsecret", "a=b"],
    ["annotate", "configmap/../../secrets/default/topsecret", "a=b"],
    ["create", "token", "../../secrets/default/topsecret"],
    ["get", "configmap", "cfg", "-n", "../secrets/default"],
    ["get", "configmap", "ok\x01", "-o", "yaml"],
]


@pytest.mark.parametrize("argv", TRAVERSALS, ids=lambda a: " ".join(a))
def test_names_on_the_command_line_never_reach_other_files(store, argv):
    _refused(store, argv)


def test_listing_a_hostile_namespace_reads_nothing(store):
    state, env = store
    before = h.snapshot(state)
    r = h.run(["get", "configmaps", "-n", "../secrets/default", "-o", "yaml"], env)
    assert SECRET_VALUE not in r.out and "topsecret" not in r.out
    assert h.snapshot(state) == before


def test_a_user_who_may_read_configmaps_cannot_read_a_secret_through_a_name(store):
    state, env = store
    for args in (["create", "role", "cm-reader", "--verb=get,list", "--resource=configmaps"],
                 ["create", "rolebinding", "cm-reader", "--role=cm-reader", "--user=alice"]):
        r = h.run(args, env)
        assert r.rc == 0, r.err
    for args in (["get", "configmap/../../secrets/default/topsecret", "-o", "yaml"],
                 ["get", "configmaps", "-n", "../secrets/default", "-o", "yaml"],
                 ["get", "configmaps", "../../secrets/default/topsecret", "-o", "json"]):
        r = h.run(["--as", "alice"] + args, env)
        assert SECRET_VALUE not in r.out + r.err, args
        assert "Traceback" not in r.err


def test_the_whole_corpus_is_fast(store, tmp_path):
    """All entries at once in one `apply -f DIR`: still one line, still nothing written."""
    t0 = time.perf_counter()
    d = tmp_path / "corpus"
    d.mkdir()
    for e in ENTRIES:
        if e.endswith((".yaml", ".json")):
            shutil.copy(CORPUS / e, d / e)
    _refused(store, ["apply", "-f", d])
    assert time.perf_counter() - t0 < 10
