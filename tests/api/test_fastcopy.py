"""clone: a deep copy that keeps the parse cache's shared strings shared."""
from __future__ import annotations

import sys
from fractions import Fraction

from kubelite.api.fastcopy import clone


def test_a_clone_is_deep_and_equal():
    obj = {"metadata": {"name": "web", "labels": {"app": "web"}}, "spec": {"ports": [{"port": 80}]}, "n": None, "ok": True}
    copy = clone(obj)
    assert copy == obj
    copy["spec"]["ports"][0]["port"] = 81
    copy["metadata"]["labels"]["app"] = "other"
    assert obj["spec"]["ports"][0]["port"] == 80 and obj["metadata"]["labels"]["app"] == "web"


def test_interned_strings_stay_interned_in_the_clone():
    key = sys.intern("".join(["container", "Statuses"]))
    copy = clone({key: [sys.intern("".join(["Run", "ning"]))]})
    (k,) = copy
    assert k is key and copy[k][0] is sys.intern("Running")


def test_what_marshal_cannot_hold_is_copied_through_pickle():
    obj = {"ratio": Fraction(1, 3), "items": [Fraction(2, 3)]}
    copy = clone(obj)
    assert copy == obj and copy["items"] is not obj["items"]
