"""CRD patterns are Go (RE2) expressions: the ones Python reads differently are translated."""
import re

import pytest

from kubelite.api.crd import goregex, structural, validation

# Prometheus Operator's AlertmanagerConfig: an inline flag scoped to its group.
WEEKDAY = r"^((?i)sun|mon|tues|wednes|thurs|fri|satur)day(?:((:(sun|mon|tues|wednes|thurs|fri|satur)day)$)|$)"


@pytest.mark.parametrize("go, python", [
    (WEEKDAY, r"^((?i:sun|mon|tues|wednes|thurs|fri|satur))day(?:((:(sun|mon|tues|wednes|thurs|fri|satur)day)$)|$)"),
    (r"(?i)^abc$", r"(?i)^abc$"),          # a leading flag is Python's too
    (r"^a(?i)b$", r"^a(?i:b$)"),            # to the end of the expression
    (r"[(?i)]x\z", r"[(?i)]x\Z"),           # not a flag inside a class; \z is \Z
    (r"^[a-z]+$", r"^[a-z]+$"),
])
def test_go_patterns_become_python_patterns_matching_the_same_strings(go, python):
    assert goregex.to_python(go) == python
    re.compile(goregex.to_python(go))


def test_an_inline_flag_ends_with_its_group_as_in_go():
    r = re.compile(goregex.to_python(WEEKDAY))
    assert r.search("SUNday") and r.search("Monday:tuesday")
    assert not r.search("monDAY") and not r.search("monday:Tuesday")


def test_a_crd_with_such_a_pattern_is_accepted_and_enforced_quoting_the_pattern_as_written():
    schema = {"type": "object", "properties": {"day": {"type": "string", "pattern": WEEKDAY}}}
    assert structural.structural_errors(schema, "spec.validation.openAPIV3Schema") == []
    assert structural.structural_errors({"type": "string", "pattern": "(?<"}, "s")  # still refused when Go would refuse it
    assert [str(e) for e in validation.validate(schema, {"day": "Monday"})] == []
    assert [str(e) for e in validation.validate(schema, {"day": "someday"})] == [
        f"day: Invalid value: \"someday\": day in body should match '{WEEKDAY}'"]
