"""Where the process runtime keeps a pod's files under the state directory.

  STATE/pods/<uid>/pod.json                      who the pod is, its grace period and preStop hooks
  STATE/pods/<uid>/containers/<name>/N.*         instance N of a container (see instances.py)
  STATE/pods/<uid>/volumes/<name>/               its volumes
  STATE/logs/<namespace>_<pod>_<uid>/<container>/<N>.log   instance N's output (the kubelet's layout)
"""
from __future__ import annotations

from pathlib import Path


def pods_root(root: Path) -> Path:
    return Path(root) / "pods"


def pod_dir(root: Path, uid: str) -> Path:
    return pods_root(root) / uid


def container_dir(root: Path, uid: str, container: str) -> Path:
    return pod_dir(root, uid) / "containers" / container


def volume_dir(root: Path, uid: str, volume: str) -> Path:
    return pod_dir(root, uid) / "volumes" / volume


def log_dir(root: Path, namespace: str, name: str, uid: str) -> Path:
    return Path(root) / "logs" / f"{namespace}_{name}_{uid}"


def log_path(root: Path, namespace: str, name: str, uid: str, container: str, n: int) -> Path:
    return log_dir(root, namespace, name, uid) / container / f"{n}.log"
