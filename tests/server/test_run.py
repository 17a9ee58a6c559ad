"""Starting and stopping `kubelite serve`: the kubeconfig, the one line, health, signals, loopback only."""
from __future__ import annotations

import socket
import stat

from tests.conftest import run_kubelite
from tests.server.conftest import kubectl, needs_kubectl, start_server, stop_server


def test_serve_prints_one_line_with_url_and_kubeconfig_path(served):
    assert served.url.startswith("https://127.0.0.1:")
    assert served.kubeconfig.exists()


def test_kubeconfig_is_private_and_holds_ca_and_token(served):
    import json

    mode = stat.S_IMODE(served.kubeconfig.stat().st_mode)
    assert mode == 0o600
    cfg = json.loads(served.kubeconfig.read_text())
    assert cfg["clusters"][0]["cluster"]["server"] == served.url
    assert cfg["clusters"][0]["cluster"]["certificate-authority-data"]
    assert cfg["users"][0]["user"]["token"] == served.token


def test_health_endpoints_answer_ok_without_a_token(served):
    for path in ("/healthz", "/livez", "/readyz"):
        assert served.request("GET", path, token=None) == (200, "ok")


def test_a_request_without_a_token_is_401_unauthorized(served):
    code, body = served.request("GET", "/api/v1/pods", token=None)
    assert code == 401
    assert body["kind"] == "Status" and body["reason"] == "Unauthorized"


def test_a_wrong_token_is_401(served):
    code, body = served.request("GET", "/api/v1/pods", token="kla_not-the-token")
    assert code == 401


def test_the_ca_and_token_survive_a_restart(booted):
    first = start_server(booted, "--no-reconcile")
    try:
        token, ca = first.token, (booted / "pki" / "ca.crt").read_bytes()
    finally:
        stop_server(first.proc)
    second = start_server(booted, "--no-reconcile")
    try:
        assert second.token == token and (booted / "pki" / "ca.crt").read_bytes() == ca
        assert second.request("GET", "/api/v1/namespaces")[0] == 200
    finally:
        stop_server(second.proc)


def test_sigterm_stops_cleanly_and_frees_the_port(booted):
    s = start_server(booted, "--no-reconcile")
    port = int(s.url.rsplit(":", 1)[1])
    assert stop_server(s.proc) == 0
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))  # free again


def test_a_non_loopback_address_needs_an_explicit_flag(booted):
    r = run_kubelite(["serve", "--address", "0.0.0.0", "--port", "0"], state=booted)
    assert r.rc == 1
    assert "--allow-remote" in r.err and len(r.err.strip().splitlines()) == 1


@needs_kubectl
def test_kubectl_reports_the_served_kubernetes_version(served):
    r = kubectl(served, "version -o json")
    assert r.rc == 0, r.err
    import json

    assert json.loads(r.out)["serverVersion"]["minor"] == "32"


def test_sigterm_ends_open_watches_and_the_server_exits(booted):
    import http.client
    import json
    import time

    s = start_server(booted, "--no-reconcile")
    try:
        host, port = s.url[len("https://"):].rsplit(":", 1)
        c = http.client.HTTPSConnection(host, int(port), context=s.ssl_context(), timeout=30)
        c.request("GET", "/api/v1/namespaces?watch=1", headers={"Authorization": f"Bearer {s.token}"})
        resp = c.getresponse()
        first = json.loads(resp.readline())
        assert first["type"] == "ADDED"
        t0 = time.monotonic()
        assert stop_server(s.proc) == 0
        assert time.monotonic() - t0 < 10
        rest = resp.read()  # the stream ends instead of hanging
        assert isinstance(rest, bytes)
    finally:
        stop_server(s.proc)


def test_a_write_by_another_process_wakes_the_controllers_before_the_interval(booted):
    from tests.server.conftest import wait_for

    s = start_server(booted, "--reconcile-interval", "1h")  # one pass at start, then only a change wakes it
    try:
        r = run_kubelite(["create", "deployment", "web", "--image=nginx", "--replicas=2"], state=booted)
        assert r.rc == 0, r.err

        def replica_sets():
            return run_kubelite(["get", "replicasets", "-o", "name"], state=booted).out.split()

        assert wait_for(replica_sets, 60), "the Deployment controller never ran"
    finally:
        stop_server(s.proc)
