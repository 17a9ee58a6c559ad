"""Label and field selectors, with upstream's semantics."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubelite.api.selectors import from_label_selector, from_map, parse, parse_fields
from kubelite.errors import BadRequest, UsageError

WEB = {"app": "web", "tier": "frontend", "env": "prod"}


@pytest.mark.parametrize("text, labels, expected", [
    ("app=web", WEB, True),
    ("app==web", WEB, True),
    ("app=db", WEB, False),
    ("app!=db", WEB, True),
    ("app!=web", WEB, False),
    ("missing!=x", WEB, True),
    ("app in (web,db)", WEB, True),
    ("app in (db, cache)", WEB, False),
    ("app notin (db,cache)", WEB, True),
    ("app notin (web)", WEB, False),
    ("missing notin (a,b)", WEB, True),
    ("missing in (a,b)", WEB, False),
    ("app", WEB, True),
    ("missing", WEB, False),
    ("!missing", WEB, True),
    ("!app", WEB, False),
    ("app=web,tier=frontend", WEB, True),
    ("app=web,tier=backend", WEB, False),
    ("app=web, tier in (frontend), !canary, env!=dev", WEB, True),
    ("empty=", {"empty": ""}, True),
    ("empty=", {}, False),
])
def test_the_dash_l_syntax_matches_as_upstream(text, labels, expected):
    assert parse(text).matches(labels) is expected


def test_not_equal_and_notin_match_objects_without_the_key_or_without_labels():
    assert parse("a!=b").matches({})
    assert parse("a!=b").matches(None)
    assert parse("a notin (b)").matches(None)


def test_an_empty_selector_string_matches_everything():
    for text in (None, "", "   "):
        sel = parse(text)
        assert sel.empty
        assert sel.matches({}) and sel.matches(None) and sel.matches(WEB)


@pytest.mark.parametrize("bad", [
    "app=web,", "app in web", "app in (web", "app =~ web", "=web", "app=web tier=fe",
    "a b", "bad key=x", "app=in valid", "app=" + "x" * 64, "-app=x", "!",
])
def test_malformed_selectors_are_usage_errors_that_quote_the_input(bad):
    with pytest.raises(UsageError) as e:
        parse(bad)
    assert "unable to parse requirement" in str(e.value)


def test_a_nil_label_selector_matches_nothing_and_an_empty_one_matches_everything():
    assert not from_label_selector(None).matches(WEB)
    assert not from_label_selector(None).matches({})
    assert from_label_selector({}).matches(WEB)
    assert from_label_selector({}).matches({})
    assert from_label_selector({"matchLabels": {}, "matchExpressions": []}).matches({})


def test_match_labels_and_match_expressions_are_anded():
    sel = from_label_selector({
        "matchLabels": {"app": "web"},
        "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["frontend", "edge"]},
            {"key": "env", "operator": "NotIn", "values": ["dev"]},
            {"key": "env", "operator": "Exists"},
            {"key": "canary", "operator": "DoesNotExist"},
        ],
    })
    assert sel.matches(WEB)
    assert not sel.matches({**WEB, "canary": "yes"})
    assert not sel.matches({**WEB, "tier": "backend"})
    assert not sel.matches({**WEB, "env": "dev"})
    assert not sel.matches({"tier": "frontend", "env": "prod"})


def test_match_expressions_gt_and_lt_compare_integers_and_need_the_key():
    gt = from_label_selector({"matchExpressions": [{"key": "n", "operator": "Gt", "values": ["3"]}]})
    lt = from_label_selector({"matchExpressions": [{"key": "n", "operator": "Lt", "values": ["3"]}]})
    assert gt.matches({"n": "4"}) and not gt.matches({"n": "3"}) and not gt.matches({})
    assert lt.matches({"n": "2"}) and not lt.matches({"n": "x"})


def test_an_unknown_match_expression_operator_is_refused():
    with pytest.raises(UsageError):
        from_label_selector({"matchExpressions": [{"key": "a", "operator": "Like", "values": ["x"]}]})


def test_a_map_selector_matches_by_equality_and_an_empty_map_matches_nothing():
    assert from_map({"app": "web"}).matches(WEB)
    assert not from_map({"app": "db"}).matches(WEB)
    assert not from_map({}).matches(WEB)
    assert not from_map(None).matches(WEB)


def test_a_selector_prints_back_in_the_dash_l_syntax():
    text = "app=web,tier!=db,env in (dev,prod),x notin (y),has,!gone"
    assert str(parse(text)) == text
    assert str(parse(str(parse(text)))) == text


def test_equality_pairs_lists_only_single_valued_equalities():
    assert parse("a=1,b in (2),c in (3,4),d!=5,e").equality_pairs() == {"a": "1", "b": "2"}


# -- field selectors -----------------------------------------------------------

POD = {"metadata": {"name": "web-0", "namespace": "dev"}, "spec": {"nodeName": "n1"}, "status": {"phase": "Running"}}


@pytest.mark.parametrize("text, expected", [
    ("metadata.name=web-0", True),
    ("metadata.name==web-0", True),
    ("metadata.name!=web-0", False),
    ("metadata.namespace=dev", True),
    ("status.phase=Running,spec.nodeName=n1", True),
    ("status.phase=Running,spec.nodeName!=n1", False),
    ("spec.nodeName=", False),
    ("", True),
])
def test_field_selectors_match_the_supported_fields(text, expected):
    assert parse_fields(text).matches(POD) is expected


def test_an_unscheduled_pod_matches_an_empty_node_name():
    assert parse_fields("spec.nodeName=").matches({"metadata": {"name": "p"}, "spec": {}})


def test_an_unknown_field_selector_is_a_bad_request_naming_the_field():
    with pytest.raises(BadRequest) as e:
        parse_fields("spec.replicas=3", "deployments")
    assert '"spec.replicas" is not a known field selector' in str(e.value)


def test_a_field_selector_without_an_operator_is_a_usage_error():
    with pytest.raises(UsageError):
        parse_fields("metadata.name")


# -- properties ------------------------------------------------------------------

_alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
name_part = st.text(_alnum, min_size=1, max_size=10)
label_key = st.one_of(name_part, st.builds(lambda p, n: f"{p}.io/{n}", name_part, name_part))
label_value = st.one_of(st.just(""), st.text(_alnum + "-_.", min_size=0, max_size=12).map(lambda s: f"v{s}x"))
label_sets = st.dictionaries(label_key, label_value, max_size=6)


@given(label_sets)
def test_a_selector_built_from_a_label_set_always_matches_that_set(labels):
    text = ",".join(f"{k}={v}" for k, v in labels.items())
    assert parse(text).matches(labels)
    assert from_map(labels).matches(labels) or not labels
    assert from_label_selector({"matchLabels": labels}).matches(labels)


@given(label_sets, label_sets)
def test_a_selector_built_from_a_label_set_matches_any_superset(labels, extra):
    text = ",".join(f"{k}={v}" for k, v in labels.items())
    assert parse(text).matches({**extra, **labels})


@given(label_sets, label_key, st.lists(label_value, min_size=1, max_size=4))
def test_notin_is_the_negation_of_in(labels, key, values):
    vals = ",".join(values)
    assert parse(f"{key} notin ({vals})").matches(labels) == (not parse(f"{key} in ({vals})").matches(labels))


@given(label_sets, label_key, label_value)
def test_not_equal_is_the_negation_of_equal(labels, key, value):
    assert parse(f"{key}!={value}").matches(labels) == (not parse(f"{key}={value}").matches(labels))


@given(label_sets, label_key)
def test_not_exists_is_the_negation_of_exists(labels, key):
    assert parse(f"!{key}").matches(labels) == (not parse(key).matches(labels))


@given(label_sets)
def test_printing_and_reparsing_a_selector_keeps_its_meaning(labels):
    sel = from_label_selector({"matchLabels": labels})
    again = parse(str(sel))
    assert again.matches(labels)
    assert str(again) == str(sel)
