"""CertificateSigningRequests name their requester as upstream's strategy does."""
from __future__ import annotations

from kubelite.apiserver import APIServer
from kubelite.auth.identity import Identity
from kubelite.clock import Clock, parse_time
from tests.conftest import T0

CSR = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": "alice"},
       "spec": {"request": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K",
                "signerName": "kubernetes.io/kube-apiserver-client", "usages": ["client auth"],
                "username": "mallory", "groups": ["system:masters"]},
       "status": {"conditions": [{"type": "Approved", "status": "True"}]}}


def _api(root, identity=None) -> APIServer:
    api = APIServer.open(root, Clock(parse_time(T0)))
    api.identity = identity
    return api


def test_the_requester_is_whoever_creates_the_request_and_it_starts_unapproved(booted):
    stored = _api(booted, Identity.of("alice", ["system:masters"])).create(CSR).obj
    assert (stored["spec"]["username"], stored["spec"]["groups"]) == ("alice", ["system:masters", "system:authenticated"])
    assert "status" not in stored or not stored["status"].get("conditions")


def test_an_update_cannot_change_the_requester_or_the_request(booted):
    api = _api(booted, Identity.of("alice", ["system:masters"]))
    stored = api.create(CSR).obj
    changed = {**stored, "spec": {**stored["spec"], "username": "mallory", "signerName": "example.com/other"}}
    after = api.update(changed).obj
    assert (after["spec"]["username"], after["spec"]["signerName"]) == ("alice", "kubernetes.io/kube-apiserver-client")
