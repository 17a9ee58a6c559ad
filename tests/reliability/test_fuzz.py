"""Property-based fuzzing of `apply` (hypothesis): valid manifests (tests/reliability/seeds/, captured
from `kubectl create ... --dry-run=client -o yaml`, or hand-written where kubectl needs a server)
mutated at random: keys dropped, renamed or added, values replaced by other types, huge and
negative numbers, unicode and control characters.

For every mutation:
- kubelite never crashes: in-process only KubeliteError is raised; through the real command
  there is no "Traceback" and no "internal error", and a refusal is exactly one line;
- it is accepted or refused, never half-applied (a refusal leaves the store as it was);
- an accepted one round-trips: the YAML `get -o yaml` prints parses back to the stored object,
  applying the same manifest again is `unchanged`, and `get -o yaml` applied back changes
  nothing but kubectl's last-applied annotation, after which (without the read's
  resourceVersion, the optimistic-lock token of that read) it re-applies as `unchanged`.

Most examples run in-process through kubelite.apiserver.APIServer (fast); a handful run the
real `kubelite apply`. KUBELITE_SOAK=1 runs ten times as many.
"""
from __future__ import annotations

import copy
import itertools
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.reliability import helpers as h

SEEDS_DIR = Path(__file__).parent / "seeds"
IN_PROCESS_EXAMPLES = h.soak(200, 2000)
CLI_EXAMPLES = h.soak(8, 80)


def _seeds() -> list[dict]:
    from kubelite.api import yamlio

    out = []
    for f in sorted(SEEDS_DIR.glob("*.yaml")):
        docs = yamlio.load_documents(f.read_text(), str(f))
        out += [d.data for d in docs]
    return out


SEEDS = _seeds()

TRICKY = ["", "0", "1", "-5", "1Gi", "100m", "true", "True", "null", "Null", "~", "yes", "no", "on", "off", "y", "n",
          "0x1F", "0o17", "1e3", "1_000", "010", "08", ".nan", ".inf", "-.inf", "+1", "1.", ".5", "1:30", "12:30:45",
          "../x", "a/b", "UPPER", "é☃\u202e", "a\nb", "a\r\nb", "\tx", "x\t", " lead", "trail ", "\x1b[31m", "\u00a0", "\u2028",
          "\x7f", "\x85", "\ufeffbom", "2026-01-01", "2026-01-01T00:00:00Z", "*", "&a", "!tag", "%x", "@x", "`x",
          "- a", "? a", "{a: b}", "[1, 2]", "'quoted'", '"dq"', "#comment", "a #b", "key: value", "a:b", "---", "...",
          "|", ">", "=", "<<", "\\", "\\n"]
scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63, 2**64, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=24),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(TRICKY),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)


def _paths(o, prefix=()):
    yield prefix
    if isinstance(o, dict):
        for k, v in o.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(o, list):
        for i, v in enumerate(o):
            yield from _paths(v, prefix + (i,))


def _at(o, path):
    for p in path:
        o = o[p]
    return o


@st.composite
def mutated(draw):
    """(seed, mutation): a seed manifest with one to four random mutations."""
    seed = draw(st.sampled_from(SEEDS))
    doc = copy.deepcopy(seed)
    identity = draw(st.integers(0, 9)) == 0  # now and then, apiVersion, kind and metadata too
    for _ in range(draw(st.integers(1, 3))):
        # Deepest paths first: hypothesis favours early choices, and those are what most fields are.
        paths = sorted((p for p in _paths(doc) if p and (identity or p[0] not in ("apiVersion", "kind", "metadata")
                                                          or p[:2] in (("metadata", "labels"), ("metadata", "annotations"))
                                                          and len(p) > 2)),
                       key=lambda p: (-len(p), str(p)))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _at(doc, path[:-1]), path[-1]
        op = draw(st.sampled_from(["annotate", "unicode", "number", "retype", "insert", "rename", "drop"]))
        target = parent[key]
        if op == "annotate" and isinstance(doc.get("metadata"), dict):
            # Strings YAML could read back as something else: the emitter must quote them.
            ann = doc["metadata"].get("annotations")
            if not isinstance(ann, dict):
                ann = doc["metadata"]["annotations"] = {}
            ann[f"fuzz.kubelite.io/k{draw(st.integers(0, 3))}"] = draw(st.one_of(
                st.text(max_size=40), st.sampled_from([v for v in TRICKY if isinstance(v, str)]),
                scalars.map(lambda v: json.dumps(v) if not isinstance(v, str) else v)))
        elif op == "drop":
            del parent[key]
        elif op == "retype":
            parent[key] = draw(values)
        elif op == "insert":
            if isinstance(target, dict):
                target[draw(st.text(max_size=10))] = draw(values)
            elif isinstance(target, list):
                target.insert(draw(st.integers(0, len(target))), draw(values))
            else:
                parent[key] = draw(values)
        elif op == "rename" and isinstance(parent, dict):
            new_key = draw(st.one_of(st.text(max_size=10), st.just(str(key).upper()), st.just(str(key) + "s")))
            parent[new_key] = parent.pop(key)
        elif op == "number":
            parent[key] = draw(st.sampled_from([-1, -(2**31), 2**31, 2**53 + 1, 2**63, -(10**30), 10**30, 1.5, -0.0]))
        else:
            base = target if isinstance(target, str) else str(target)
            parent[key] = base + draw(st.text(alphabet=st.characters(codec="utf-8", min_codepoint=0x80), min_size=1, max_size=4))
    return seed, doc


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A state directory with its ServiceAccounts and nodes, so pods and workloads can be admitted."""
    root = tmp_path_factory.mktemp("fuzz")
    state, cache = root / "template", root / "cache"
    env = h.env_for(state, cache, strict=True)
    r = h.run(["apply", "-f", "-"], env, stdin=h.stream([{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"},
                                                          "status": {"capacity": {"cpu": "8", "memory": "32Gi", "pods": "110"}}}]))
    assert r.rc == 0, r.err
    r = h.run(["reconcile", "--until-stable", "-q"], env)
    assert r.rc == 0, r.err
    return root, state, cache


_counter = itertools.count()


def _fresh_api(template):
    from kubelite.apiserver import APIServer
    from kubelite.clock import Clock, parse_time

    root, state, _ = template
    mine = root / f"example-{next(_counter)}"
    shutil.copytree(state, mine, symlinks=True)
    return APIServer.open(mine, Clock(parse_time(h.NOW))), mine


def _strip_rv(obj: dict) -> dict:
    out = copy.deepcopy(obj)
    out["metadata"].pop("resourceVersion", None)
    return out


def _get_yaml(kind, obj) -> str:
    from kubelite.cli.output import structured

    return structured("yaml", [obj], True)


def _without_last_applied(obj: dict) -> dict:
    from kubelite.api.merge import LAST_APPLIED

    out = copy.deepcopy(obj)
    ann = out["metadata"].get("annotations") or {}
    ann.pop(LAST_APPLIED, None)
    if not ann:
        out["metadata"].pop("annotations", None)
    out["metadata"].pop("resourceVersion", None)
    return out


@settings(max_examples=IN_PROCESS_EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
@given(case=mutated(), update=st.booleans())
def test_apply_in_process_accepts_or_refuses_and_round_trips(template, case, update):
    from kubelite.api import yamlio
    from kubelite.errors import KubeliteError

    seed, doc = case
    api, state = _fresh_api(template)
    try:
        if update:  # the mutation as an update of the seed's live object
            api.apply(copy.deepcopy(seed))
        before = h.snapshot(state)
        try:
            res = api.apply(copy.deepcopy(doc))
        except KubeliteError as e:
            event(f"refused: {type(e).__name__}")
            assert e.message.strip(), "an empty error message"
            assert "Traceback" not in e.message
            after = h.snapshot(state)
            assert {k: v for k, v in after.items() if not k.startswith("locks")} == \
                   {k: v for k, v in before.items() if not k.startswith("locks")}, "a refused apply changed the store"
            return
        # accepted: round trips
        event(f"accepted: {res.verb}")
        kind = res.kind
        meta = res.obj["metadata"]
        live = api.store.get(kind, meta.get("namespace"), meta["name"])
        text = _get_yaml(kind, live)
        back = yamlio.load_documents(text, "get -o yaml")[0].data
        assert back == live, "get -o yaml does not parse back to the stored object"
        again = api.apply(copy.deepcopy(doc))
        assert again.verb == "unchanged", f"re-applying an accepted manifest was {again.verb}"
        api.apply(_strip_rv(back))
        now = api.store.get(kind, meta.get("namespace"), meta["name"])
        assert _without_last_applied(now) == _without_last_applied(live), "get -o yaml applied back changed the object"
        text2 = _get_yaml(kind, now)
        res3 = api.apply(_strip_rv(yamlio.load_documents(text2, "get -o yaml")[0].data))
        assert res3.verb == "unchanged", f"get -o yaml re-applied as {res3.verb}"
    finally:
        shutil.rmtree(state, ignore_errors=True)


@settings(max_examples=CLI_EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
@given(case=mutated())
def test_apply_through_the_cli_never_crashes_and_round_trips(template, case):
    from kubelite.api import yamlio

    _, doc = case
    root, tstate, cache = template
    state = root / f"cli-{next(_counter)}"
    shutil.copytree(tstate, state, symlinks=True)
    env = h.env_for(state, cache, strict=True)
    try:
        text = json.dumps(doc, ensure_ascii=False, allow_nan=True)
        r = h.run(["apply", "-f", "-"], env, stdin=text.encode("utf-8", "surrogatepass"))
        assert "Traceback" not in r.err and "internal error" not in r.err, r.err
        if r.rc != 0:
            assert len(r.err.splitlines()) == 1, r.err
            return
        name = r.out.split()[0]  # kind/name
        ns = ["-n", doc["metadata"]["namespace"]] if isinstance(doc.get("metadata"), dict) and doc["metadata"].get("namespace") else []
        for expect in (None, "unchanged"):
            g = h.run(["get", name, "-o", "yaml"] + ns, env)
            assert g.rc == 0, g.err
            obj = yamlio.load_documents(g.out, "get")[0].data
            r = h.run(["apply", "-f", "-"], env, stdin=json.dumps(_strip_rv(obj)))
            assert r.rc == 0 and "Traceback" not in r.err, r.err
            if expect:
                assert r.out.split()[-1] == expect, r.out
    finally:
        shutil.rmtree(state, ignore_errors=True)
