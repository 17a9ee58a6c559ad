"""Reading untrusted manifests safely, and writing plain YAML."""
from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubelite.api import yamlio
from kubelite.api.yamlio import MAX_DOCUMENT_BYTES, dump, dump_all, iter_documents, load_documents, load_one
from kubelite.errors import InputError


def data(text, source="f.yaml"):
    return [d.data for d in load_documents(text, source)]


def refused(text, source="f.yaml") -> str:
    with pytest.raises(InputError) as e:
        load_documents(text, source)
    msg = str(e.value)
    assert "\n" not in msg, msg
    return msg


def test_a_multi_document_stream_loads_every_document_and_numbers_them():
    docs = load_documents("a: 1\n---\nb: 2\n--- \nc: 3\n", "f.yaml")
    assert [d.data for d in docs] == [{"a": 1}, {"b": 2}, {"c": 3}]
    assert [d.index for d in docs] == [1, 2, 3]
    assert docs[1].where == '"f.yaml" (document 2)'


def test_empty_documents_and_a_leading_separator_are_skipped_without_renumbering_real_ones():
    docs = load_documents("---\na: 1\n---\n---\n# only a comment\n---\nb: 2\n", "f.yaml")
    assert [d.data for d in docs] == [{"a": 1}, {"b": 2}]
    assert [d.index for d in docs] == [1, 4]


def test_json_is_yaml_too():
    assert data('{"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"}}') == [
        {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"}}]


def test_duplicate_keys_are_refused_naming_the_key_and_line():
    msg = refused("a: 1\nb:\n  c: 1\n  c: 2\n")
    assert msg == '"f.yaml" (document 1): yaml: line 4: mapping key "c" already defined'


def test_a_duplicate_key_in_a_later_document_names_that_document():
    assert '(document 2)' in refused("a: 1\n---\nx: 1\nx: 2\n")


def test_yaml_that_does_not_parse_names_the_file_document_and_line():
    msg = refused("a: 1\n---\nkind: [unclosed\n")
    assert msg.startswith('"f.yaml" (document 2): yaml: line')


def _billion_laughs(levels: int = 9) -> str:
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_fast():
    text = _billion_laughs()
    t = time.perf_counter()
    msg = refused(text)
    assert time.perf_counter() - t < 1.0
    assert "excessive aliasing" in msg


def test_modest_use_of_aliases_is_fine():
    out = data("base: &b {image: nginx, name: web}\ncontainers: [*b, *b]\n")[0]
    assert out["containers"] == [{"image": "nginx", "name": "web"}] * 2


@pytest.mark.parametrize("text", [
    "a: " + "[" * 1000 + "]" * 1000,
    "a: " + "{b: " * 3000 + "1" + "}" * 3000,
    "".join(" " * i + f"k{i}:\n" for i in range(1200)) + " " * 1200 + "x: 1\n",
], ids=["flow-sequences", "flow-mappings", "block-mappings"])
def test_deep_nesting_is_refused_quickly(text):
    t = time.perf_counter()
    msg = refused(text)
    assert time.perf_counter() - t < 30  # a hang detector: an exponential parse would not end
    assert "depth" in msg


def test_nesting_as_deep_as_real_manifests_is_fine():
    text = "a: " + "{b: " * 60 + "1" + "}" * 60
    out = data(text)[0]
    for _ in range(60):
        out = out.get("a", out.get("b"))
    assert out in (1, {"b": 1})


def test_bytes_that_are_not_utf8_are_refused():
    msg = refused(b"a: \xff\xfe\n")
    assert msg.startswith('"f.yaml": invalid UTF-8 at byte 3')


def test_a_nul_byte_is_refused():
    assert "NUL" in refused(b"a: b\x00\n")
    assert "NUL" in refused("a: b\x00\n")


def test_a_document_over_3_mib_is_refused_as_the_apiserver_does():
    big = "a: " + "x" * (MAX_DOCUMENT_BYTES + 10) + "\n"
    t = time.perf_counter()
    msg = refused(big)
    assert "Request entity too large: limit is 3145728" in msg
    assert time.perf_counter() - t < 1.0


def test_the_size_limit_is_per_document_not_per_stream(monkeypatch):
    monkeypatch.setattr(yamlio, "MAX_DOCUMENT_BYTES", 100)
    doc = "a: " + "x" * 80 + "\n"
    assert len(data("---\n".join([doc] * 4))) == 4
    assert "(document 2): Request entity too large: limit is 100 bytes" in refused(doc + "---\n" + doc + doc)


def test_a_huge_byte_stream_is_refused_before_decoding():
    assert "Request entity too large" in refused(b"a" * (MAX_DOCUMENT_BYTES * 4 + 1))


@pytest.mark.parametrize("text", [
    "2024-01-01T10:00:00Z",
    "2024-01-01T10:00:00.5+02:00",
    "2024-01-01 10:00:00",
    "2024-01-01",
    "2001-12-14t21:59:43.10-05:00",
])
def test_timestamps_stay_strings_exactly_as_written(text):
    assert data(f"t: {text}\n") == [{"t": text}]


def test_integers_with_a_leading_zero_are_octal_as_kubectl_reads_them():
    # kubectl reads YAML with go-yaml v2: `defaultMode: 0644` is 420.
    assert data("defaultMode: 0644\nb: 0o400\nc: 10\nd: 0\n") == [{"defaultMode": 420, "b": 256, "c": 10, "d": 0}]


def test_scalars_keep_their_yaml_types():
    assert data("i: 1\nf: 1.5\nb: true\nn: null\ns: '1'\nt: ~\n") == [
        {"i": 1, "f": 1.5, "b": True, "n": None, "s": "1", "t": None}]


def test_non_string_keys_become_strings():
    assert data("1: a\n2.5: b\n---\ntrue: c\nnull: d\n") == [{"1": "a", "2.5": "b"}, {"true": "c", "null": "d"}]


def test_binary_scalars_become_base64_text():
    assert data("b: !!binary aGVsbG8=\n") == [{"b": "aGVsbG8="}]


def test_a_kind_list_expands_into_its_items_keeping_the_source():
    docs = load_documents("apiVersion: v1\nkind: List\nitems:\n- {kind: A}\n- {kind: B}\n---\nkind: C\n", "f.yaml")
    items = list(iter_documents(docs))
    assert [d.data["kind"] for d in items] == ["A", "B", "C"]
    assert [d.index for d in items] == [1, 1, 2]


def test_load_one_wants_exactly_one_document():
    assert load_one("a: 1\n", "x") == {"a": 1}
    with pytest.raises(InputError):
        load_one("a: 1\n---\nb: 2\n", "x")
    with pytest.raises(InputError):
        load_one("", "x")


def test_dump_writes_block_style_yaml_with_sorted_keys():
    assert dump({"b": 1, "a": {"d": [1, 2], "c": "x"}}) == "a:\n  c: x\n  d:\n  - 1\n  - 2\nb: 1\n"


def test_dump_quotes_strings_that_would_read_back_as_other_types():
    obj = {"s1": "123", "s2": "true", "s3": "null", "s4": "2024-01-01T00:00:00Z", "s5": "0644", "s6": "1e3", "s7": "yes"}
    text = dump(obj)
    assert data(text) == [obj]


def test_dump_all_separates_documents():
    assert data(dump_all([{"a": 1}, {"b": 2}])) == [{"a": 1}, {"b": 2}]


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63), st.floats(allow_nan=False, allow_infinity=False),
              st.text(max_size=20)),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), json_values, max_size=5))
def test_whatever_kubelite_dumps_it_reads_back_unchanged(obj):
    assert load_one(dump(obj), "x") == obj


def test_a_lone_equals_sign_is_a_string_as_kubectl_reads_it():
    # YAML 1.1's "value" type: Prometheus Operator's CRDs list match types as [ '!=', =, =~ ].
    doc = load_one("enum:\n- '!='\n- =\n- =~\n", "crd.yaml")
    assert doc == {"enum": ["!=", "=", "=~"]}


def test_a_typed_list_expands_into_its_items_as_kubectl_decodes_it():
    # kube-prometheus ships its Grafana dashboards as one `kind: ConfigMapList`.
    docs = load_documents("apiVersion: v1\nkind: ConfigMapList\nitems:\n- {kind: ConfigMap}\n- {kind: ConfigMap}\n", "f.yaml")
    assert [d.data for d in iter_documents(docs)] == [{"kind": "ConfigMap"}, {"kind": "ConfigMap"}]
