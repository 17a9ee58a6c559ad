"""Generate the benchmark workload as one multi-document YAML stream.

    python bench/workload.py --deployments 1000 --nodes 100 > workload.yaml

100 Nodes (8 cpu, 32Gi, 110 pods), Deployments of 10 replicas with cpu/memory requests
spread over 10 namespaces, and a Service per Deployment.
"""
from __future__ import annotations

import argparse
import json
import sys


# The default cluster CIDR, 10.244.0.0/16, holds 256 nodes' /24s, as upstream's with its
# default flags; nodes past that get no podCIDR (CIDRNotAvailable) and their pods never start.
# Larger stores widen it, as a real cluster's --cluster-cidr would be (clear of the Service range).
WIDE_CLUSTER_CIDR = "10.128.0.0/9"


def documents(deployments: int, nodes: int, replicas: int = 10, namespaces: int = 10):
    if nodes > 256:
        yield {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kubelite-config", "namespace": "kube-system"},
               "data": {"cluster-cidr": WIDE_CLUSTER_CIDR}}
    for i in range(namespaces):
        yield {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"bench-{i}"}}
    for i in range(nodes):
        yield {"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"node-{i:03d}", "labels": {"kubernetes.io/hostname": f"node-{i:03d}"}},
               "status": {"capacity": {"cpu": "8", "memory": "32Gi", "pods": "110"}}}
    for i in range(deployments):
        ns, name = f"bench-{i % namespaces}", f"app-{i:04d}"
        labels = {"app": name}
        yield {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns, "labels": labels},
               "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                        "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                            {"name": "app", "image": "nginx:1.25", "ports": [{"containerPort": 80}],
                             "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}}}]}}}}
        yield {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
               "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 80}]}}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--deployments", type=int, default=1000)
    p.add_argument("--nodes", type=int, default=100)
    p.add_argument("--replicas", type=int, default=10)
    a = p.parse_args()
    out = sys.stdout
    for d in documents(a.deployments, a.nodes, a.replicas):
        out.write("---\n" + json.dumps(d) + "\n")


if __name__ == "__main__":
    main()
