"""The YAML emitter's output, and reading it back without a YAML parser (load_dumped)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubelite.api import yamlio
from kubelite.api.yamlemit import dump, load_dumped


def typed(v):
    """v with every value's type spelled out: 1, 1.0 and True are equal in Python, not here."""
    if isinstance(v, dict):
        return ("dict", [(k, typed(x)) for k, x in v.items()])
    if isinstance(v, list):
        return ("list", [typed(x) for x in v])
    if isinstance(v, float):
        return ("float", repr(v))
    return (type(v).__name__, v)


def same(a, b) -> bool:
    """Equal data with equal types (the order of keys is not data)."""
    def norm(t):
        if t[0] == "dict":
            return ("dict", sorted((k, norm(x)) for k, x in t[1]))
        if t[0] == "list":
            return ("list", [norm(x) for x in t[1]])
        return t
    return norm(typed(a)) == norm(typed(b))


# What yamlio.load_one can return: JSON data with finite floats (it reads .nan and .inf as strings).
scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
                    st.sampled_from(["true", "no", "null", "~", "1", "0644", "1e3", "-a", "a: b", "a:", " a", "#x",
                                     "- x", "|", "a\n", "a\n\n", "\n", "a\nb", " a\nb", "a \nb", "a\tb", "---", "...",
                                     "{}", "[]", '"', "'", "\u2028", "\x85", "\ufeff", "é", "<<", "*a", "&a", "!x", "%x"]))
keys = st.one_of(st.text(min_size=1, max_size=10), st.sampled_from(["true", "null", "1", "a: b", "- a", "-a", '"', "<<"]))
values = st.recursive(scalars, lambda children: st.one_of(st.lists(children, max_size=4),
                                                         st.dictionaries(keys, children, max_size=4)), max_leaves=25)
objects = st.dictionaries(keys, values, min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(objects)
def test_what_dump_writes_yamlio_reads_back_with_the_same_types(obj):
    assert same(yamlio.load_one(dump(obj), "x"), obj)


@settings(max_examples=300, deadline=None)
@given(objects)
def test_load_dumped_reads_back_exactly_what_dump_wrote(obj):
    assert same(load_dumped(dump(obj)), obj)


def test_a_store_object_reads_the_same_as_through_yamlio():
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}, "generation": 1,
                        "annotations": {"last": '{"a":1}\n', "note": "two\nlines"}, "creationTimestamp": "2026-01-02T15:04:05Z"},
           "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}],
                                    "args": ["-c", "echo hi"], "resources": {}}],
                    "tolerations": [], "nodeSelector": {"kubernetes.io/os": "linux"}, "priority": 0},
           "status": {"phase": "Running", "conditions": [[1, [2]], [], {}], "ratio": 0.5}}
    text = dump(pod)
    assert same(load_dumped(text), yamlio.load_one(text, "x"))
    assert same(load_dumped(text), pod)


@pytest.mark.parametrize("text", [
    "a: 1 # a comment\n",
    "# a comment\na: 1\n",
    "a: {b: 1}\n",
    "a: [1, 2]\n",
    "a:\n    b: 1\n",
    "b: 1\na: 2\n",
    "a: 1\na: 1\n",
    "a: 0644\n",
    "a: .inf\n",
    "a: .nan\n",
    "a: 1e3\n",
    "a: 'x'\n",
    "a: yes\n",
    "a: ~\n",
    "a: x \n",
    "a: 1\r\n",
    "\ufeffa: 1\n",
    "---\na: 1\n",
    "a: 1\n---\nb: 2\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "a: >\n  folded\n",
    "a: |2\n  indented\n",
    "a: 1",
    "- a\n",
    "a\n",
    "{}\n",
    "a:\n",
    "a:\n- 1\n  - 2\n",
    "a:\n  - 1\n",
    '"a": 1\n',
    'a: "\\ud83d\\ude00"\n',
    'a: "\\ud800"\n',
    "a: " + "{b: " * 70 + "1" + "}" * 70 + "\n",
])
def test_text_dump_would_not_have_written_is_left_to_yamlio(text):
    assert load_dumped(text) is None


def test_deep_nesting_is_left_to_yamlio():
    obj: dict = {"a": 1}
    for _ in range(100):
        obj = {"a": obj}
    assert load_dumped(dump(obj)) is None
