"""Writes over HTTP: fieldValidation decides what an unknown field does, in the same
schema pass APIServer.prepare makes for every other structural error."""
from __future__ import annotations

import pytest

from tests.server.conftest import Served

CMS = "/api/v1/namespaces/default/configmaps"
MERGE = "application/merge-patch+json"


def _cm(name: str, **extra) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "1"}, **extra}


def _stored(s: Served, name: str) -> dict:
    code, obj = s.request("GET", f"{CMS}/{name}")
    assert code == 200, obj
    return obj


def _write(s: Served, verb: str, name: str, mode: str | None, body_extra: dict):
    """One write of ConfigMap `name` carrying body_extra (with an unknown field in it)."""
    q = f"?fieldValidation={mode}" if mode else ""
    if verb == "POST":
        return s.exchange("POST", CMS + q, _cm(name, data={"a": "2"}, **body_extra))
    if verb == "PUT":
        return s.exchange("PUT", f"{CMS}/{name}{q}", dict(_stored(s, name), data={"a": "2"}, **body_extra))
    return s.exchange("PATCH", f"{CMS}/{name}{q}", dict({"data": {"a": "2"}}, **body_extra), ctype=MERGE)


@pytest.mark.parametrize("verb", ["POST", "PUT", "PATCH"])
def test_strict_field_validation_refuses_an_unknown_field_and_writes_nothing(served_idle: Served, verb: str):
    s = served_idle
    name = f"strict-{verb.lower()}"
    if verb != "POST":
        assert s.request("POST", CMS, _cm(name))[0] == 201
        before = _stored(s, name)
    code, out, _ = _write(s, verb, name, "Strict", {"bogus": 1})
    assert code == 400 and out["reason"] == "BadRequest", out
    assert out["message"] == 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"'
    if verb == "POST":
        assert s.request("GET", f"{CMS}/{name}")[0] == 404
    else:
        assert _stored(s, name) == before


@pytest.mark.parametrize("verb", ["POST", "PUT", "PATCH"])
@pytest.mark.parametrize("mode", [None, "Warn", "Ignore"])
def test_warn_and_ignore_drop_an_unknown_field_and_write_the_rest(served_idle: Served, verb: str, mode: str | None):
    s = served_idle
    name = f"{(mode or 'default').lower()}-{verb.lower()}"
    if verb != "POST":
        assert s.request("POST", CMS, _cm(name))[0] == 201
    code, out, headers = _write(s, verb, name, mode, {"bogus": 1, "metadata": {"name": name, "labels": {"x": "y"}, "nope": "z"}})
    assert code in (200, 201), out
    stored = _stored(s, name)
    assert stored["data"] == {"a": "2"} and stored["metadata"]["labels"] == {"x": "y"}
    assert "bogus" not in stored and "nope" not in stored["metadata"]
    warning = headers.get("Warning") or ""
    if mode == "Ignore":
        assert warning == ""
    else:  # Warn is the default, as upstream's
        assert 'unknown field "bogus"' in warning and 'unknown field "metadata.nope"' in warning


def test_an_unknown_field_beside_an_invalid_one_is_still_invalid(served_idle: Served):
    s = served_idle
    assert s.request("POST", CMS, _cm("both"))[0] == 201
    before = _stored(s, "both")
    code, out, _ = s.exchange("PATCH", f"{CMS}/both?fieldValidation=Warn", {"bogus": 1, "data": {"a": 5}}, ctype=MERGE)
    assert code == 422 and out["reason"] == "Invalid", out
    assert [c["field"] for c in out["details"]["causes"]] == ["data.a"]
    assert _stored(s, "both") == before


def test_an_unsupported_field_validation_is_a_bad_request(served_idle: Served):
    code, out, _ = served_idle.exchange("POST", CMS + "?fieldValidation=Loose", _cm("loose"))
    assert code == 400 and out["message"] == 'fieldValidation parameter unsupported: "Loose". Must be one of: Ignore, Warn, Strict'


@pytest.mark.parametrize("ctype,body", [(MERGE, {"bogus": 1, "data": {"a": "2"}}),
                                        ("application/json-patch+json", [{"op": "add", "path": "/bogus", "value": 1}])])
def test_a_patch_checks_the_schema_once(booted, monkeypatch, ctype, body):
    """The unknown-field check and the API server's own validation are one pass."""
    from kubelite.api import schema
    from kubelite.apiserver import APIServer
    from kubelite.server import handlers
    from kubelite.server.requestinfo import parse

    api = APIServer.open(booted, create=False)
    api.strict = False  # as `serve` runs: the suite's KUBELITE_STRICT re-checks every write for its own sake
    api.create(_cm("once"))
    passes = []
    real = schema.validate
    monkeypatch.setattr(schema, "validate", lambda kind, obj: passes.append(kind) or real(kind, obj))
    c = handlers.Call(api, parse(f"{CMS}/once"), {}, body, ctype)
    code, out = handlers.patch(c)
    assert code == 200 and "bogus" not in out and api.warnings == ['unknown field "bogus"']
    assert passes == ["ConfigMap"]
