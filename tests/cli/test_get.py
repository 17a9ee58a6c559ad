"""`kubelite get`: types, names, lists, every output format and selector, end to end."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from kubelite.apiserver import APIServer
from kubelite.clock import Clock, format_time, parse_time
from tests.conftest import T0, load_yaml, one_line

T = parse_time(T0)


def at(seconds: float) -> str:
    return format_time(T + dt.timedelta(seconds=seconds))


def deployment(name, replicas=1, labels=None, ns="default"):
    labels = {"app": name, **(labels or {})}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": name, "image": f"{name}:1"}]}}}}


def pod(name, phase, node=None, ns="default"):
    p = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": {"app": "web"}},
         "spec": {"containers": [{"name": "c", "image": "nginx"}]}, "status": {"phase": phase}}
    if node:
        p["spec"]["nodeName"] = node
    return p


@pytest.fixture
def cluster(api):
    """Two deployments, a service, pods and a namespaced config map, all created at T0."""
    api.create(deployment("web", 3, {"tier": "frontend"}))
    api.create(deployment("api", 1, {"tier": "backend"}))
    api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
                "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}], "clusterIP": "10.96.0.20"}})
    api.create(pod("web-1", "Running", "n1"))
    api.create(pod("web-2", "Pending"))
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
    api.create(deployment("tool", 2, ns="dev"))
    api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "dev"}, "data": {"a": "1"}})
    return api


def test_get_type_prints_kubectls_columns_as_plain_aligned_text(kl, cluster):
    rc, out, err = kl("get deployments", now=at(190))
    assert (rc, err) == (0, "")
    assert out == ("NAME   READY   UP-TO-DATE   AVAILABLE   AGE\n"
                   "api    0/1     0            0           3m10s\n"
                   "web    0/3     0            0           3m10s\n")
    assert "\x1b[" not in out


def test_ages_read_as_kubectl_prints_them(kl, booted):
    for name, seconds_ago in (("a", 70), ("b", 190), ("c", 2 * 86400 + 3600), ("d", 10 * 3600), ("e", 400 * 86400)):
        APIServer.open(booted, Clock(T - dt.timedelta(seconds=seconds_ago))).create(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}})
    rc, out, err = kl("get cm --no-headers", now=T0)
    ages = {line.split()[0]: line.split()[-1] for line in out.splitlines()}
    assert ages == {"a": "70s", "b": "3m10s", "c": "2d1h", "d": "10h", "e": "400d"}


def test_get_type_and_several_names(kl, cluster):
    assert kl("get deploy web api -o name") == (0, "deployment.apps/web\ndeployment.apps/api\n", "")


def test_get_type_slash_name_and_several_kinds(kl, cluster):
    assert kl("get deploy/web svc/web pod/web-1 -o name") == (0, "deployment.apps/web\nservice/web\npod/web-1\n", "")


def test_get_a_comma_separated_list_of_types_prefixes_names_with_their_kind(kl, cluster):
    rc, out, err = kl("get pods,svc", now=at(5))
    assert (rc, err) == (0, "")
    assert out == ("NAME        READY   STATUS    RESTARTS   AGE\n"
                   "pod/web-1   0/1     Running   0          5s\n"
                   "pod/web-2   0/1     Pending   0          5s\n"
                   "\n"
                   "NAME                 TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n"
                   "service/kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   5s\n"
                   "service/web          ClusterIP   10.96.0.20   <none>        80/TCP    5s\n")


def test_get_all_lists_the_all_category(kl, cluster):
    rc, out, err = kl("get all -o name")
    assert (rc, err) == (0, "")
    assert out.splitlines() == ["pod/web-1", "pod/web-2", "service/kubernetes", "service/web",
                                "deployment.apps/api", "deployment.apps/web"]


def test_get_all_namespaces_adds_a_namespace_column(kl, cluster):
    rc, out, err = kl("get deploy -A", now=at(1))
    assert out == ("NAMESPACE   NAME   READY   UP-TO-DATE   AVAILABLE   AGE\n"
                   "default     api    0/1     0            0           1s\n"
                   "default     web    0/3     0            0           1s\n"
                   "dev         tool   0/2     0            0           1s\n")


def test_global_options_work_before_or_after_the_verb(kl, cluster):
    assert kl("-n dev get cm -o name") == (0, "configmap/cfg\n", "")
    assert kl("get cm -n dev -o name") == (0, "configmap/cfg\n", "")
    assert kl("-o name --namespace=dev get deploy") == (0, "deployment.apps/tool\n", "")
    assert "configmap/cfg" in kl("-A get cm -o name").out.split()


def test_json_of_many_objects_is_a_list_with_items_and_of_one_is_the_object(kl, cluster):
    many = json.loads(kl("get deploy -o json").out)
    assert (many["apiVersion"], many["kind"], many["metadata"]) == ("v1", "List", {"resourceVersion": ""})
    assert [i["metadata"]["name"] for i in many["items"]] == ["api", "web"]
    one = json.loads(kl("get deploy web -o json").out)
    assert one["kind"] == "Deployment" and one["metadata"]["name"] == "web"
    assert load_yaml(kl("get deploy web -o yaml").out) == one
    assert load_yaml(kl("get deploy -o yaml").out) == many


def test_an_empty_list_prints_no_resources_found_or_an_empty_list(kl, cluster):
    assert kl("get jobs") == (0, "", "No resources found in default namespace.\n")
    assert kl("get nodes") == (0, "", "No resources found.\n")
    assert json.loads(kl("get jobs -o json").out)["items"] == []


def test_name_output_prints_the_qualified_kind(kl, cluster):
    assert kl("get deploy web -o name") == (0, "deployment.apps/web\n", "")
    assert kl("get ns dev -o name") == (0, "namespace/dev\n", "")


def test_jsonpath_output(kl, cluster):
    assert kl("get deploy web -o jsonpath={.spec.replicas}") == (0, "3", "")
    assert kl(["get", "deploy", "-o", "jsonpath={.items[*].metadata.name}"]) == (0, "api web", "")
    assert kl(["get", "deploy", "-o", 'jsonpath={range .items[*]}{.metadata.name}={.spec.replicas}{"\\n"}{end}']) == (0, "api=1\nweb=3\n", "")


def test_custom_columns_output(kl, cluster):
    assert kl("get deploy -o custom-columns=NAME:.metadata.name,REPLICAS:.spec.replicas,MISSING:.status.nope") == (
        0, "NAME   REPLICAS   MISSING\napi    1          <none>\nweb    3          <none>\n", "")


def test_no_headers_and_show_labels(kl, cluster):
    rc, out, _ = kl("get deploy --no-headers --show-labels", now=at(1))
    assert out == ("api   0/1   0   0   1s   app=api,tier=backend\n"
                   "web   0/3   0   0   1s   app=web,tier=frontend\n")


def test_sort_by_a_jsonpath(kl, cluster):
    assert kl("get deploy -A --sort-by=.spec.replicas -o name").out.splitlines() == [
        "deployment.apps/api", "deployment.apps/tool", "deployment.apps/web"]
    assert kl("get deploy --sort-by={.metadata.name} -o name").out.splitlines() == ["deployment.apps/api", "deployment.apps/web"]


def test_label_selectors(kl, cluster):
    assert kl("get deploy -l tier=frontend -o name") == (0, "deployment.apps/web\n", "")
    assert kl("get deploy -l tier!=frontend -o name") == (0, "deployment.apps/api\n", "")
    assert kl(["get", "deploy", "-l", "tier in (frontend,backend),app", "-o", "name"]).out.splitlines() == [
        "deployment.apps/api", "deployment.apps/web"]
    assert kl("get deploy -l !tier") == (0, "", "No resources found in default namespace.\n")


def test_field_selectors(kl, cluster):
    assert kl("get pods --field-selector status.phase=Running -o name") == (0, "pod/web-1\n", "")
    assert kl("get pods --field-selector spec.nodeName=n1,metadata.name=web-1 -o name") == (0, "pod/web-1\n", "")
    assert kl("get pods --field-selector status.phase!=Running -o name") == (0, "pod/web-2\n", "")
    assert kl("get deploy -A --field-selector metadata.namespace=dev -o name") == (0, "deployment.apps/tool\n", "")


def test_an_unknown_field_selector_is_a_bad_request(kl, cluster):
    rc, out, err = kl("get deploy --field-selector spec.replicas=3")
    assert rc == 1 and one_line(err).startswith('Error from server (BadRequest): Unable to find "spec.replicas" field label')


def test_wide_output_adds_kubectls_wide_columns(kl, cluster):
    rc, out, _ = kl("get deploy web -o wide", now=at(1))
    assert out == ("NAME   READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS   IMAGES   SELECTOR\n"
                   "web    0/3     0            0           1s    web          web:1    app=web\n")


def test_a_missing_object_is_not_found_and_exits_1(kl, cluster):
    assert kl("get deploy nope") == (1, "", 'Error from server (NotFound): deployments.apps "nope" not found\n')
    rc, out, err = kl("get deploy web nope -o name")
    assert (rc, out) == (1, "deployment.apps/web\n") and one_line(err).endswith('"nope" not found')
    assert kl("get deploy nope --ignore-not-found") == (0, "", "")


@pytest.mark.parametrize("args, message", [
    ("get", 'error: You must specify the type of resource to get. Use "kubelite api-resources" for a complete list of supported resources.'),
    ("get widgets", 'error: the server doesn\'t have a resource type "widgets"'),
    ("get deploy -o bogus", 'error: unable to match a printer suitable for the output format "bogus", allowed formats are: custom-columns,json,jsonpath,jsonpath-as-json,name,wide,yaml'),
])
def test_bad_get_requests_are_one_line_errors(kl, cluster, args, message):
    rc, out, err = kl(args)
    assert (rc, out) == (1, "") and one_line(err) == message


def test_short_names_plurals_singulars_and_group_qualified_names_all_resolve(kl, cluster):
    words = ("deploy", "deployment", "deployments", "deployments.apps", "deployment.v1.apps", "DEPLOY")
    rc, out, err = kl(["get", *(f"{w}/web" for w in words), "-o", "name"])
    assert (rc, err) == (0, "")
    assert out == "deployment.apps/web\n" * len(words)


def test_an_object_created_at_t_is_3m10s_old_at_t_plus_190s(kl):
    assert kl("create configmap pinned --from-literal=a=b", now=T0) == (0, "configmap/pinned created\n", "")
    assert kl("get cm pinned", now=at(190)) == (0, "NAME     DATA   AGE\npinned   1      3m10s\n", "")
    assert kl("get cm pinned -o jsonpath={.metadata.creationTimestamp}").out == T0
