"""kubectl's printer columns for the kinds issue 14 added (pkg/printers/internalversion/printers.go)."""
from __future__ import annotations

import datetime as dt

import pytest

from kubelite.clock import format_time, parse_time
from tests.cli.test_kinds import DOCS
from tests.conftest import T0

LATER = format_time(parse_time(T0) + dt.timedelta(minutes=5))

# resource -> the table `kubelite get RESOURCE` prints for tests/data/new_kinds.yaml, five minutes on.
TABLES = {
    "limitranges": ["NAME     CREATED AT", f"limits   {T0}"],
    "resourcequotas": ["NAME    REQUEST   LIMIT   AGE", "quota                     5m"],
    "podtemplates": ["NAME     CONTAINERS   IMAGES         POD LABELS", "worker   worker       busybox:1.36   app=worker"],
    "hpa": ["NAME   REFERENCE        TARGETS                   MINPODS   MAXPODS   REPLICAS   AGE",
            "web    Deployment/web   memory: <unknown>/500Mi   2         10        0          5m"],
    "csidrivers": [
        "NAME              ATTACHREQUIRED   PODINFOONMOUNT   STORAGECAPACITY   TOKENREQUESTS   REQUIRESREPUBLISH   MODES        AGE",
        "ebs.csi.aws.com   true             false            false             <unset>         false               Persistent   5m"],
    "csinodes": ["NAME     DRIVERS   AGE", "node-1   1         5m"],
    "csistoragecapacities": ["NAME          STORAGECLASSNAME   CAPACITY", "zone-a-fast   fast               100Gi"],
    "volumeattachments": ["NAME       ATTACHER          PV        NODE     ATTACHED   AGE",
                          "csi-0123   ebs.csi.aws.com   pv-data   node-1   false      5m"],
    "ingressclasses": ["NAME    CONTROLLER             PARAMETERS                                   AGE",
                       "nginx   k8s.io/ingress-nginx   IngressParameters.k8s.example.com/external   5m"],
    "ingresses": ["NAME   CLASS   HOSTS              ADDRESS   PORTS     AGE",
                  "web    nginx   shop.example.com             80, 443   5m"],
    "networkpolicies": ["NAME          POD-SELECTOR   AGE", "db-from-web   app=db         5m"],
    "pdb": ["NAME   MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE", "web    N/A             25%               0                     5m"],
    # system-cluster-critical and system-node-critical exist from the start, as upstream's.
    "priorityclasses": ["NAME                      VALUE        GLOBAL-DEFAULT   AGE",
                        "high                      100000       false            5m",
                        "system-cluster-critical   2000000000   false            5m",
                        "system-node-critical      2000001000   false            5m"],
    "runtimeclasses": ["NAME     HANDLER   AGE", "gvisor   runsc     5m"],
    "flowschemas": ["NAME         PRIORITYLEVEL   MATCHINGPRECEDENCE   DISTINGUISHERMETHOD   AGE   MISSINGPL",
                    "batch-jobs   batch           1000                 ByUser                5m    ?"],
    "prioritylevelconfigurations": [
        "NAME    TYPE      NOMINALCONCURRENCYSHARES   QUEUES   HANDSIZE   QUEUELENGTHLIMIT   AGE",
        "batch   Limited   30                         16       8          50                 5m"],
    "validatingwebhookconfigurations": ["NAME                 WEBHOOKS   AGE", "policy.example.com   1          5m"],
    "validatingadmissionpolicies": ["NAME            VALIDATIONS   PARAMKIND   AGE", "replica-limit   1             <unset>     5m"],
    "validatingadmissionpolicybindings": ["NAME            POLICYNAME      PARAMREF   AGE",
                                          "replica-limit   replica-limit   <unset>    5m"],
    "crds": ["NAME                          CREATED AT", f"crontabs.stable.example.com   {T0}"],
    "apiservices": ["NAME                     SERVICE                      AVAILABLE   AGE",
                    "v1beta1.metrics.k8s.io   kube-system/metrics-server   Unknown     5m"],
}


@pytest.fixture
def stocked(api, booted):
    for doc in DOCS:
        api.apply(doc)
    return booted


@pytest.mark.parametrize("resource", sorted(TABLES))
def test_get_prints_kubectls_columns(kl, stocked, resource):
    rc, out, err = kl(["get", resource], now=LATER)
    assert rc == 0, err
    assert out.splitlines() == TABLES[resource]


def test_priority_class_wide_adds_the_preemption_policy(kl, stocked):
    out = kl("get pc -o wide", now=LATER).out.splitlines()
    assert out[:2] == ["NAME                      VALUE        GLOBAL-DEFAULT   AGE   PREEMPTIONPOLICY",
                       "high                      100000       false            5m    PreemptLowerPriority"]


def test_hpa_targets_show_current_utilization_when_known(api, kl):
    api.apply({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
               "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                        "maxReplicas": 5, "metrics": [
                            {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}}},
                            {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "10"}}},
                            {"type": "External", "external": {"metric": {"name": "queue"}, "target": {"type": "Value", "value": "30"}}}]},
               "status": {"currentReplicas": 3, "desiredReplicas": 3, "currentMetrics": [
                   {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 42}}}]}})
    out = kl("get hpa web", now=LATER).out.splitlines()
    assert out[1].split("   ")[2].strip() == "cpu: 42%/60%, <unknown>/10 + 1 more..."


def test_a_quota_splits_requests_and_limits(api, kl):
    api.apply({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"},
               "spec": {"hard": {"pods": "4", "limits.cpu": "2"}},
               "status": {"hard": {"pods": "4", "limits.cpu": "2"}, "used": {"pods": "1", "limits.cpu": "500m"}}})
    out = kl("get quota q", now=LATER).out.splitlines()
    assert out == ["NAME   REQUEST     LIMIT                AGE", "q      pods: 1/4   limits.cpu: 500m/2   5m"]
