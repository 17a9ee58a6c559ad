"""The wire: Status objects with upstream's reasons and codes, hostile requests, RBAC,
impersonation, lists in pages, dry runs, preconditions and concurrent writers."""
from __future__ import annotations

import json
import threading

import pytest

from tests.conftest import snapshot
from tests.reliability.hostile_corpus import CORPUS, GENERATED, static_entries

CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"n": "0"}}
CMS = "/api/v1/namespaces/default/configmaps"


def test_get_of_a_missing_object_is_404_with_details(served_shared):
    code, s = served_shared.request("GET", "/apis/apps/v1/namespaces/default/deployments/nope")
    assert code == 404
    assert s == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                 "message": 'deployments.apps "nope" not found', "reason": "NotFound",
                 "details": {"name": "nope", "group": "apps", "kind": "deployments"}, "code": 404}


def test_an_unknown_path_is_404(served_shared):
    assert served_shared.request("GET", "/apis/nothing.example.com/v1/things")[0] == 404


def test_create_twice_is_409_already_exists(served_idle):
    assert served_idle.request("POST", CMS, CM)[0] == 201
    code, s = served_idle.request("POST", CMS, CM)
    assert (code, s["reason"], s["message"]) == (409, "AlreadyExists", 'configmaps "cfg" already exists')


def test_an_invalid_object_is_422_with_field_causes(served_idle):
    bad = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
           "spec": {"ports": [{"port": 70000}]}}
    code, s = served_idle.request("POST", "/api/v1/namespaces/default/services", bad)
    assert code == 422 and s["reason"] == "Invalid"
    assert s["details"]["kind"] == "Service" and s["details"]["name"] == "s"
    assert any(c["field"] == "spec.ports[0].port" for c in s["details"]["causes"])


def test_a_stale_resource_version_is_409_conflict(served_idle):
    code, created = served_idle.request("POST", CMS, CM)
    stale = dict(created, data={"n": "1"})
    assert served_idle.request("PUT", CMS + "/cfg", stale)[0] == 200
    code, s = served_idle.request("PUT", CMS + "/cfg", dict(created, data={"n": "2"}))
    assert (code, s["reason"]) == (409, "Conflict")
    assert "the object has been modified" in s["message"]


def test_an_unsupported_patch_type_is_415(served_idle):
    served_idle.request("POST", CMS, CM)
    code, s = served_idle.request("PATCH", CMS + "/cfg", b"{}", ctype="text/plain")
    assert (code, s["reason"]) == (415, "UnsupportedMediaType")


def test_each_patch_type_changes_the_object(served_idle):
    served_idle.request("POST", CMS, CM)
    served_idle.request("PATCH", CMS + "/cfg", {"data": {"a": "1"}}, ctype="application/merge-patch+json")
    served_idle.request("PATCH", CMS + "/cfg", json.dumps([{"op": "add", "path": "/data/b", "value": "2"}]).encode(),
                        ctype="application/json-patch+json")
    served_idle.request("PATCH", CMS + "/cfg", {"data": {"n": None}}, ctype="application/strategic-merge-patch+json")
    code, obj = served_idle.request("GET", CMS + "/cfg")
    assert obj["data"] == {"a": "1", "b": "2"}


def test_dry_run_writes_nothing(served_idle):
    before = snapshot(served_idle.state / "registry")
    code, obj = served_idle.request("POST", CMS + "?dryRun=All", CM)
    assert code == 201 and obj["metadata"]["name"] == "cfg"
    assert snapshot(served_idle.state / "registry") == before


def test_lists_come_in_pages_with_limit_and_continue(served_idle):
    for n in range(5):
        served_idle.request("POST", CMS, dict(CM, metadata={"name": f"c{n}"}))
    seen, cont = [], ""
    while True:
        code, page = served_idle.request("GET", CMS + "?limit=2" + (f"&continue={cont}" if cont else ""))
        assert code == 200 and len(page["items"]) <= 2
        seen += [i["metadata"]["name"] for i in page["items"]]
        cont = page["metadata"].get("continue")
        if not cont:
            break
    assert [n for n in seen if n.startswith("c")] == ["c0", "c1", "c2", "c3", "c4"]


def test_label_and_field_selectors_filter_lists(served_idle):
    served_idle.request("POST", CMS, dict(CM, metadata={"name": "a", "labels": {"tier": "x"}}))
    served_idle.request("POST", CMS, dict(CM, metadata={"name": "b"}))
    _, l1 = served_idle.request("GET", CMS + "?labelSelector=tier%3Dx")
    _, l2 = served_idle.request("GET", CMS + "?fieldSelector=metadata.name%3Db")
    assert [i["metadata"]["name"] for i in l1["items"]] == ["a"]
    assert [i["metadata"]["name"] for i in l2["items"]] == ["b"]


def test_delete_collection_deletes_only_what_the_selector_matches(served_idle):
    served_idle.request("POST", CMS, dict(CM, metadata={"name": "a", "labels": {"tier": "x"}}))
    served_idle.request("POST", CMS, dict(CM, metadata={"name": "b"}))
    assert served_idle.request("DELETE", CMS + "?labelSelector=tier%3Dx")[0] == 200
    assert served_idle.request("GET", CMS + "/a")[0] == 404
    assert served_idle.request("GET", CMS + "/b")[0] == 200


def test_the_status_subresource_changes_only_status(served_idle):
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"a": "b"}},
                    "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    path = "/apis/apps/v1/namespaces/default/deployments"
    _, obj = served_idle.request("POST", path, dep)
    served_idle.request("PATCH", path + "/d/status", {"spec": {"replicas": 9}, "status": {"replicas": 7}},
                        ctype="application/merge-patch+json")
    _, obj2 = served_idle.request("GET", path + "/d")
    assert obj2["spec"]["replicas"] == 1 and obj2["status"]["replicas"] == 7
    served_idle.request("PATCH", path + "/d", {"spec": {"replicas": 2}, "status": {"replicas": 0}},
                        ctype="application/merge-patch+json")
    _, obj3 = served_idle.request("GET", path + "/d")
    assert obj3["spec"]["replicas"] == 2 and obj3["status"]["replicas"] == 7
    assert obj3["metadata"]["generation"] == 2


def test_the_scale_subresource_reads_and_writes_replicas(served_idle):
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "default"},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"a": "b"}},
                    "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    path = "/apis/apps/v1/namespaces/default/deployments"
    served_idle.request("POST", path, dep)
    code, scale = served_idle.request("GET", path + "/d/scale")
    assert (code, scale["kind"], scale["apiVersion"], scale["spec"]["replicas"], scale["status"]["selector"]) == \
        (200, "Scale", "autoscaling/v1", 1, "a=b")
    scale["spec"]["replicas"] = 4
    assert served_idle.request("PUT", path + "/d/scale", scale)[0] == 200
    assert served_idle.request("GET", path + "/d")[1]["spec"]["replicas"] == 4


def test_a_service_account_token_is_refused_what_rbac_does_not_grant(served_idle):
    served_idle.request("POST", "/api/v1/namespaces/default/serviceaccounts",
                        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "bot"}})
    code, tr = served_idle.request("POST", "/api/v1/namespaces/default/serviceaccounts/bot/token",
                                   {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}})
    assert code == 201
    token = tr["status"]["token"]
    code, s = served_idle.request("GET", "/api/v1/namespaces/default/secrets", token=token)
    assert code == 403 and s["reason"] == "Forbidden"
    assert s["message"] == ('secrets is forbidden: User "system:serviceaccount:default:bot" cannot list resource '
                            '"secrets" in API group "" in the namespace "default"')
    code, who = served_idle.request("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                                    {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}, token=token)
    assert who["status"]["userInfo"]["username"] == "system:serviceaccount:default:bot"


def test_impersonation_needs_the_impersonate_verb(served_idle):
    served_idle.request("POST", "/api/v1/namespaces/default/serviceaccounts",
                        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "bot"}})
    _, tr = served_idle.request("POST", "/api/v1/namespaces/default/serviceaccounts/bot/token",
                                {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}})
    code, s = served_idle.request("GET", "/api/v1/namespaces", token=tr["status"]["token"], headers={"Impersonate-User": "alice"})
    assert code == 403 and 'cannot impersonate resource "users"' in s["message"]
    code, s = served_idle.request("GET", "/api/v1/namespaces/default/pods", headers={"Impersonate-User": "alice"})
    assert code == 403 and 'User "alice" cannot list resource "pods"' in s["message"]
    code, _ = served_idle.request("GET", "/api/v1/namespaces/default/pods",
                                  headers={"Impersonate-User": "alice", "Impersonate-Group": "system:masters"})
    assert code == 200


def test_self_subject_access_review_answers_can_i(served_idle):
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
              "spec": {"resourceAttributes": {"verb": "delete", "resource": "nodes"}}}
    code, out = served_idle.request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review)
    assert code == 201 and out["status"]["allowed"] is True
    code, out = served_idle.request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review,
                                    headers={"Impersonate-User": "alice"})
    assert out["status"]["allowed"] is False


# -- hostile requests: refused with a Status, nothing written ------------------------------------
def _unchanged(served, send):
    before = snapshot(served.state / "registry")
    code, s = send()
    assert 400 <= code < 500, (code, s)
    assert isinstance(s, dict) and s.get("kind") == "Status", s
    assert snapshot(served.state / "registry") == before
    return code, s


def test_a_body_over_3_mib_is_413(served_shared):
    big = json.dumps(dict(CM, data={"x": "a" * (4 << 20)})).encode()
    code, s = _unchanged(served_shared, lambda: served_shared.request("POST", CMS, big))
    assert code == 413 and s["reason"] == "RequestEntityTooLarge"


def test_deep_nesting_is_400(served_shared):
    deep = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"},"x":' + b"[" * 5000 + b"]" * 5000 + b"}"
    code, s = _unchanged(served_shared, lambda: served_shared.request("POST", CMS, deep))
    assert code == 400


def test_malformed_json_is_400(served_shared):
    code, s = _unchanged(served_shared, lambda: served_shared.request("POST", CMS, b'{"apiVersion": "v1", '))
    assert code == 400 and s["reason"] == "BadRequest"


def test_a_slow_body_is_cut_off_and_the_server_keeps_serving(served_shared):
    import socket
    import time

    host, port = served_shared.url[len("https://"):].rsplit(":", 1)
    ctx = served_shared.ssl_context()
    with socket.create_connection((host, int(port))) as raw, ctx.wrap_socket(raw, server_hostname=host) as s:
        s.sendall(f"POST {CMS} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {served_shared.token}\r\n"
                  "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{".encode())
        # the server answers other clients meanwhile
        t0 = time.monotonic()
        assert served_shared.request("GET", CMS)[0] == 200
        assert time.monotonic() - t0 < 10
    assert served_shared.request("GET", CMS + "/x")[0] == 404


@pytest.mark.parametrize("entry", [e for e in static_entries() if not e.endswith(".bin")][:200])
def test_the_hostile_corpus_is_refused_over_http(served_shared, entry):
    data = (CORPUS / entry).read_bytes()
    code, s = _unchanged(served_shared, lambda: served_shared.request("POST", CMS, data, ctype="application/yaml"))
    assert s["status"] == "Failure"


@pytest.mark.parametrize("entry", sorted(GENERATED))
def test_huge_and_deep_generated_documents_are_refused_over_http(served_shared, entry, tmp_path):
    data = GENERATED[entry](tmp_path / entry).read_bytes()
    _unchanged(served_shared, lambda: served_shared.request("POST", CMS, data, ctype="application/yaml"))


# -- concurrency -------------------------------------------------------------------------------
def _incrementer(served, times: int, errors: list):
    """A client that adds 1 to cfg's counter `times` times, reading first and retrying on 409."""
    def work():
        done = 0
        while done < times:
            _, cur = served.request("GET", CMS + "/cfg")
            cur["data"]["n"] = str(int(cur["data"]["n"]) + 1)
            code, _ = served.request("PUT", CMS + "/cfg", cur)
            done += code == 200
            if code not in (200, 409):
                errors.append(code)
    return threading.Thread(target=work)


def test_concurrent_increments_with_resource_versions_lose_no_update(served_idle):
    served_idle.request("POST", CMS, CM)
    writers, each, errors = 6, 8, []
    threads = [_incrementer(served_idle, each, errors) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    _, final = served_idle.request("GET", CMS + "/cfg")
    assert final["data"]["n"] == str(writers * each)


def test_http_writers_and_cli_writers_on_one_object_lose_nothing(served_idle):
    from tests.conftest import run_kubelite

    served_idle.request("POST", CMS, CM)
    each, errors = 6, []
    threads = [_incrementer(served_idle, each, errors) for _ in range(3)]
    for t in threads:
        t.start()
    for i in range(each):  # the CLI writes the same object meanwhile, from other processes
        r = run_kubelite(["label", "configmap", "cfg", f"cli-{i}=yes"], state=served_idle.state)
        assert r.rc == 0, r.err
    for t in threads:
        t.join()
    assert errors == []
    _, final = served_idle.request("GET", CMS + "/cfg")
    assert final["data"]["n"] == str(3 * each)
    assert all(final["metadata"]["labels"].get(f"cli-{i}") == "yes" for i in range(each))


def test_a_long_list_is_encoded_in_pieces_that_read_as_one_document():
    from kubelite.server.app import _PIECE, _dumps

    items = [{"metadata": {"name": f"o{i}"}, "data": {"ü": [i, None, "x\"y"]}} for i in range(2 * _PIECE + 7)]
    for data in ({"kind": "ConfigMapList", "metadata": {"resourceVersion": "9"}, "items": items},
                 {"items": items}, {"items": items[:3], "kind": "Short"}):
        assert json.loads(_dumps(data)) == data


def test_a_list_of_more_objects_than_one_piece_comes_back_whole_as_json_and_as_a_table(booted):
    from kubelite.apiserver import APIServer
    from kubelite.server.app import _PIECE
    from tests.server.conftest import start_server, stop_server

    api = APIServer.open(booted, create=False)
    names = sorted(f"cm-{i:04d}" for i in range(_PIECE + 50))
    with api.store.batch(defer=True):
        for n in names:
            api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": n, "namespace": "default"}})
    s = start_server(booted, "--no-reconcile")
    try:
        code, out = s.request("GET", "/api/v1/namespaces/default/configmaps")
        assert code == 200 and out["kind"] == "ConfigMapList" and out["metadata"]["resourceVersion"]
        assert [o["metadata"]["name"] for o in out["items"] if o["metadata"]["name"].startswith("cm-")] == names
        code, t = s.request("GET", "/api/v1/namespaces/default/configmaps",
                            headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})
        assert code == 200 and t["kind"] == "Table"
        assert [r["cells"][0] for r in t["rows"] if r["cells"][0].startswith("cm-")] == names
    finally:
        stop_server(s.proc)
