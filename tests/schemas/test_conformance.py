"""Every object kubelite writes validates strictly against the official Kubernetes 1.32 schemas.

The check is kubernetes-validate's (a test dependency), not kubelite's own schemas: it
holds the generated schemas and everything that writes objects to the real thing.
"""
from __future__ import annotations

import kubernetes_validate

from tests.cli.test_kinds import DOCS, EVENTS_V1, HPA_V1, NEW_KINDS
from tests.conftest import REPO, load_yaml, object_files

def _violations(obj: dict) -> list[str]:
    try:
        kubernetes_validate.validate(obj, "1.32.0", strict=True)
    except kubernetes_validate.ValidationError as e:
        return [f"{'.'.join(map(str, e.path))}: {e.message}"]
    return []


def test_the_official_validator_rejects_what_upstream_rejects():
    ingress = load_yaml(NEW_KINDS.read_text())[9]
    assert ingress["kind"] == "Ingress" and not _violations(ingress)
    ingress["spec"]["rules"][0]["http"]["paths"][0]["pathTyp"] = "Prefix"
    assert _violations(ingress)


def test_every_object_written_for_samples_and_the_new_kinds_validates_strictly(kl, booted):
    for args in (["apply", "-f", str(REPO / "samples")], ["apply", "-f", str(NEW_KINDS)]):
        rc, _, err = kl(args)
        assert rc == 0, err
    rc, _, err = kl("apply -f -", stdin=HPA_V1 + "---\n" + EVENTS_V1)
    assert rc == 0, err
    rc, _, err = kl("reconcile --until-stable -q", now="2026-01-02T15:10:00Z")
    assert rc == 0, err
    seen, bad = set(), []
    for path in object_files(booted):
        obj = load_yaml(path.read_text())
        seen.add(obj["kind"])
        bad += [f"{path.relative_to(booted)}: {v}" for v in _violations(obj)]
    assert not bad, bad[:10]
    assert {d["kind"] for d in DOCS} | {"Pod", "Deployment", "HorizontalPodAutoscaler", "Event", "Node"} <= seen
