"""A container's environment and command line, built as the kubelet builds them."""
from __future__ import annotations

import base64

import pytest

from kubelite.runtime.process import env


def test_expansion_follows_upstream_rules():
    m = env.mapping_for({"A": "x", "B": "y"})
    assert env.expand("$(A)-$(B)", m) == "x-y"
    assert env.expand("$$(A)", m) == "$(A)"            # $$ escapes
    assert env.expand("$(UNSET) $(A", m) == "$(UNSET) $(A"  # undefined and unclosed stay as written
    assert env.expand("a$b $", m) == "a$b $"
    assert env.expand("$$$(A)", m) == "$x"


POD = {"metadata": {"name": "web", "namespace": "shop", "uid": "u-1", "labels": {"app": "web"}},
       "spec": {"nodeName": "local", "serviceAccountName": "default"},
       "status": {"podIP": "127.0.0.1", "hostIP": "127.0.0.1"}}
NODE = {"metadata": {"name": "local"}, "status": {"allocatable": {"cpu": "2", "memory": "4Gi"}}}
OBJECTS = {
    ("ConfigMap", "settings"): {"data": {"MODE": "fast", "bad name": "skipped", "LEVEL": "3"}},
    ("Secret", "creds"): {"data": {"PASSWORD": base64.b64encode(b"s3cret").decode()}},
}


def get(kind, name):
    return OBJECTS.get((kind, name))


def test_env_from_then_env_with_value_from_and_expansion_of_earlier_variables():
    ctr = {"name": "app", "resources": {"requests": {"memory": "64Mi"}, "limits": {"cpu": "250m"}},
           "envFrom": [{"configMapRef": {"name": "settings"}, "prefix": "CFG_"}, {"secretRef": {"name": "creds"}}],
           "env": [{"name": "LEVEL", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "LEVEL"}}},
                   {"name": "WHERE", "value": "$(POD)/$(CFG_MODE)/$(LATER)"},
                   {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                   {"name": "APP", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}},
                   {"name": "MEM_MI", "valueFrom": {"resourceFieldRef": {"resource": "requests.memory", "divisor": "1Mi"}}},
                   {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
                   {"name": "MEM_LIMIT", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory"}}},
                   {"name": "OPT", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "nope", "optional": True}}}]}
    e = env.container_env(POD, ctr, NODE, get, {"KUBELITE_VOLUME_DATA": "/d"})
    assert e["CFG_MODE"] == "fast" and "CFG_bad name" not in e and e["PASSWORD"] == "s3cret"
    assert e["LEVEL"] == "3" and e["POD"] == "web" and e["APP"] == "web"
    assert e["WHERE"] == "$(POD)/fast/$(LATER)"  # only variables defined before it expand
    assert e["MEM_MI"] == "64" and e["CPU"] == "1"  # 250m rounds up to 1 core
    assert e["MEM_LIMIT"] == str(4 * 2**30)  # no limit: the node's allocatable
    assert "OPT" not in e and e["HOSTNAME"] == "web" and e["KUBELITE_VOLUME_DATA"] == "/d"
    assert env.command_line({"name": "app", "command": ["echo", "$(POD)"], "args": ["$(KUBELITE_VOLUME_DATA)"]}, e) == \
        ["echo", "web", "/d"]


def test_a_missing_key_or_object_is_a_config_error_naming_it():
    ctr = {"name": "app", "env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "nope"}}}]}
    with pytest.raises(env.ConfigError, match="couldn't find key nope in Secret shop/creds"):
        env.container_env(POD, ctr, NODE, get, {})
    ctr = {"name": "app", "envFrom": [{"configMapRef": {"name": "absent"}}]}
    with pytest.raises(env.ConfigError, match='configmap "absent" not found'):
        env.container_env(POD, ctr, NODE, get, {})


def test_a_container_without_a_command_cannot_run_and_says_why():
    with pytest.raises(env.ConfigError) as e:
        env.command_line({"name": "app", "image": "nginx", "args": ["-g"]}, {})
    assert e.value.reason == "RunContainerError" and 'container "app" has no command' in e.value.message
