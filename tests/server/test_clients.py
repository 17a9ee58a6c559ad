"""The real `kubernetes` Python client and a real kopf operator against a real `kubelite serve`."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from tests.conftest import run_kubelite
from tests.server.conftest import wait_for

kubernetes = pytest.importorskip("kubernetes")


@pytest.fixture
def clients(served_idle):
    from kubernetes import client, config

    api_client = config.new_client_from_config(str(served_idle.kubeconfig))
    try:
        yield client.CoreV1Api(api_client), client.AppsV1Api(api_client)
    finally:
        api_client.close()


DEPLOY = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
          "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                   "template": {"metadata": {"labels": {"app": "web"}},
                                "spec": {"containers": [{"name": "web", "image": "nginx:1.26"}, {"name": "side", "image": "busybox"}]}}}}


def test_the_client_creates_lists_patches_and_deletes(clients):
    core, apps = clients
    core.create_namespaced_config_map("default", {"metadata": {"name": "c1"}, "data": {"a": "1"}})
    assert "c1" in [c.metadata.name for c in core.list_namespaced_config_map("default").items]
    core.patch_namespaced_config_map("c1", "default", {"data": {"b": "2"}})  # merge patch
    assert core.read_namespaced_config_map("c1", "default").data == {"a": "1", "b": "2"}
    apps.create_namespaced_deployment("default", DEPLOY)
    # a strategic merge patch of one container keeps the other, merged by name
    apps.patch_namespaced_deployment("web", "default", {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}})
    cs = apps.read_namespaced_deployment("web", "default").spec.template.spec.containers
    assert [(c.name, c.image) for c in cs] == [("web", "nginx:1.27"), ("side", "busybox")]
    core.delete_namespaced_config_map("c1", "default")
    from kubernetes.client.rest import ApiException

    with pytest.raises(ApiException) as e:
        core.read_namespaced_config_map("c1", "default")
    assert e.value.status == 404


def test_a_watch_sees_a_write_made_by_kubelite_apply_in_another_process(clients, served_idle):
    from kubernetes import watch

    core, _ = clients
    rv = core.list_namespaced_config_map("default").metadata.resource_version
    seen: dict = {}

    def follow():
        w = watch.Watch()
        for ev in w.stream(core.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=20):
            if ev["object"].metadata.name == "from-cli":
                seen[ev["type"]] = time.monotonic()
                w.stop()

    t = threading.Thread(target=follow)
    t.start()
    time.sleep(0.5)
    r = run_kubelite(["apply", "-f", "-"], state=served_idle.state,
                     stdin="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-cli}\ndata: {a: b}\n")
    assert r.rc == 0, r.err
    t.join(30)
    assert "ADDED" in seen  # how soon is a benchmark figure (bench/serve.py), not a test


def test_a_watch_from_a_version_older_than_the_server_is_410_and_the_client_relists(clients):
    from kubernetes import watch
    from kubernetes.client.rest import ApiException

    core, _ = clients
    with pytest.raises(ApiException) as e:
        for _ in watch.Watch().stream(core.list_namespaced_config_map, "default", resource_version="1", timeout_seconds=5):
            pass
    assert e.value.status == 410


OPERATOR = textwrap.dedent('''
    import kopf

    @kopf.on.create("configmaps", labels={"demo": "yes"})
    def created(body, patch, **_):
        patch.metadata.annotations["demo.kubelite.io/seen"] = "created:" + body["data"]["v"]

    @kopf.on.update("configmaps", labels={"demo": "yes"}, field="data")
    def updated(body, patch, **_):
        patch.metadata.annotations["demo.kubelite.io/seen"] = "updated:" + body["data"]["v"]
''')


def test_a_kopf_operator_handles_create_and_update(served_idle, tmp_path):
    pytest.importorskip("kopf")
    from kubernetes import client, config

    op = tmp_path / "op.py"
    op.write_text(OPERATOR)
    env = dict(os.environ, KUBECONFIG=str(served_idle.kubeconfig))
    proc = subprocess.Popen([sys.executable, "-m", "kopf", "run", "--standalone", "--all-namespaces", str(op)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    api_client = config.new_client_from_config(str(served_idle.kubeconfig))
    try:
        core = client.CoreV1Api(api_client)
        time.sleep(2)
        core.create_namespaced_config_map("default", {"metadata": {"name": "k1", "labels": {"demo": "yes"}}, "data": {"v": "1"}})

        def seen():
            ann = core.read_namespaced_config_map("k1", "default").metadata.annotations or {}
            return ann.get("demo.kubelite.io/seen")

        assert wait_for(lambda: seen() == "created:1", 30), seen()
        core.patch_namespaced_config_map("k1", "default", {"data": {"v": "2"}})
        assert wait_for(lambda: seen() == "updated:2", 30), seen()
    finally:
        api_client.close()
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stdout.close()


def test_an_autoscaling_v1_client_reads_and_writes_hpas_stored_as_v2(served_idle):
    from kubernetes import client, config

    api_client = config.new_client_from_config(str(served_idle.kubeconfig))
    try:
        v1, v2 = client.AutoscalingV1Api(api_client), client.AutoscalingV2Api(api_client)
        target = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
        made = v1.create_namespaced_horizontal_pod_autoscaler("default", {
            "apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
            "spec": {"scaleTargetRef": target, "maxReplicas": 5, "targetCPUUtilizationPercentage": 60}})
        assert made.api_version == "autoscaling/v1" and made.spec.target_cpu_utilization_percentage == 60
        stored = v2.read_namespaced_horizontal_pod_autoscaler("web", "default")
        assert [(m.resource.name, m.resource.target.average_utilization) for m in stored.spec.metrics] == [("cpu", 60)]
        got = run_kubelite(["get", "hpa", "web", "-o", "json"], state=served_idle.state)
        assert '"apiVersion": "autoscaling/v2"' in got.out  # what the store holds

        # A v2 HPA with a memory metric, read, edited and written back through v1, keeps it.
        v2.create_namespaced_horizontal_pod_autoscaler("default", {
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "mem"},
            "spec": {"scaleTargetRef": target, "maxReplicas": 5, "metrics": [
                {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "100Mi"}}}]}})
        old = v1.read_namespaced_horizontal_pod_autoscaler("mem", "default")
        assert old.api_version == "autoscaling/v1" and old.spec.target_cpu_utilization_percentage is None
        assert "memory" in old.metadata.annotations["autoscaling.alpha.kubernetes.io/metrics"]
        old.spec.target_cpu_utilization_percentage = 70
        v1.replace_namespaced_horizontal_pod_autoscaler("mem", "default", old)
        v1.patch_namespaced_horizontal_pod_autoscaler("mem", "default", {"spec": {"maxReplicas": 9}})
        now = v2.read_namespaced_horizontal_pod_autoscaler("mem", "default")
        assert now.spec.max_replicas == 9
        assert [(m.resource.name, m.resource.target.type) for m in now.spec.metrics] == [("memory", "AverageValue"), ("cpu", "Utilization")]
        assert "autoscaling.alpha.kubernetes.io/metrics" not in (now.metadata.annotations or {})
        listed = v1.list_namespaced_horizontal_pod_autoscaler("default")
        assert sorted((h.metadata.name, h.spec.target_cpu_utilization_percentage) for h in listed.items) == [("mem", 70), ("web", 60)]
    finally:
        api_client.close()
