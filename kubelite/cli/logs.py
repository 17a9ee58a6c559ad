"""`kubelite logs`: print the logs of a container in a pod, as kubectl does."""
from __future__ import annotations

import sys

import click

from kubelite.cli.context import global_options, obj
from kubelite.errors import UsageError

# kinds whose pods `logs TYPE/NAME` reads through their selector, as kubectl's LogsForObject
_WITH_PODS = ("Deployment", "ReplicaSet", "Job", "StatefulSet", "DaemonSet", "ReplicationController", "Service")


def _by_logging(pod: dict) -> tuple:
    """kubectl's ByLogging order: bound, running, ready (longest), most restarts, oldest."""
    st = pod.get("status") or {}
    phase = {"Running": 0, "Unknown": 1}.get(st.get("phase"), 2)
    ready = next((c for c in st.get("conditions") or [] if c.get("type") == "Ready"), {})
    is_ready = ready.get("status") == "True"
    restarts = sum(int(c.get("restartCount") or 0) for c in st.get("containerStatuses") or [])
    return (not (pod.get("spec") or {}).get("nodeName"), phase, not is_ready,
            (ready.get("lastTransitionTime") or "~") if is_ready else "", -restarts,
            pod["metadata"].get("creationTimestamp") or "~", pod["metadata"]["name"])


def _pick_pod(api, target: str, namespace: str) -> dict:
    from kubelite.api import kinds, selectors

    pk = kinds.by_kind("Pod")
    if "/" not in target:
        return api.get(pk, namespace, target)
    t, name = target.split("/", 1)
    kind = kinds.resolve(t)
    if kind.kind == "Pod":
        return api.get(pk, namespace, name)
    if kind.kind not in _WITH_PODS:
        raise UsageError(f"cannot get the logs from {kind.qualified}")
    owner = api.get(kind, namespace, name)
    raw = (owner.get("spec") or {}).get("selector")
    sel = selectors.parse(",".join(f"{k}={v}" for k, v in raw.items())) if kind.kind in ("Service", "ReplicationController") \
        else selectors.from_label_selector(raw)
    pods = sorted((p for p in api.list(pk, namespace) if sel.matches(p["metadata"].get("labels"))), key=_by_logging)
    if not pods:
        raise UsageError(f"no pods found for {t}/{name}")
    if len(pods) > 1:
        click.echo(f"Found {len(pods)} pods, using pod/{pods[0]['metadata']['name']}", err=True)
    return pods[0]


@click.command()
@click.argument("target", metavar="(POD | TYPE/NAME)")
@click.argument("container_arg", metavar="[CONTAINER]", required=False)
@click.option("-c", "--container", default=None, help="Print the logs of this container.")
@click.option("-f", "--follow", is_flag=True, help="Specify if the logs should be streamed.")
@click.option("-p", "--previous", is_flag=True, help="Print the logs for the previous instance of the container in a pod if it exists.")
@click.option("--tail", type=int, default=-1, help="Lines of recent log file to display. Defaults to -1, showing all log lines.")
@click.option("--since", default=None, help="Only return logs newer than a relative duration like 5s, 2m, or 3h.")
@click.option("--since-time", default=None, help="Only return logs after a specific date (RFC3339).")
@click.option("--timestamps", is_flag=True, help="Include timestamps on each line in the log output.")
@global_options
def logs(target, container_arg, container, follow, previous, tail, since, since_time, timestamps):
    """Print the logs for a container in a pod or specified resource.

    Only pods on nodes labelled kubelite.io/runtime=process have logs: their containers
    run as processes and write to STATE/logs/. If the pod has only one container, the
    container name is optional.

    \b
    Examples:
      kubelite logs web-7x9k2
      kubelite logs -f deploy/web
      kubelite logs job/backup --previous --tail 20
    """
    from kubelite.api import kinds
    from kubelite.clock import parse_time
    from kubelite.runtime import logs as logs_lib

    c = obj()
    if container_arg and container:
        raise UsageError("only one of -c or an inline [CONTAINER] arg is allowed")
    if since and since_time:
        raise UsageError("at most one of `sinceTime` or `sinceSeconds` may be specified")
    since_seconds = None
    if since:
        try:
            since_seconds = logs_lib.parse_since(since)
        except ValueError:
            raise UsageError(f'invalid argument "{since}" for "--since" flag: time: invalid duration "{since}"') from None
    cutoff = None
    if since_time:
        try:
            cutoff = parse_time(since_time)
        except ValueError:
            raise UsageError(f'since-time: parsing time "{since_time}" as RFC3339 failed') from None
    api = c.api
    pod = _pick_pod(api, target, c.namespace)
    m = pod["metadata"]
    api.authorize("get", kinds.by_kind("Pod"), m.get("namespace"), m["name"], "log")
    name = container or container_arg
    spec = pod.get("spec") or {}
    if name and not any(x["name"] == name for x in (spec.get("containers") or []) + (spec.get("initContainers") or [])):
        raise UsageError(f"container {name} is not valid for pod {m['name']}")
    if not name:
        name, note = logs_lib.default_container(pod)
        if note:
            click.echo(note, err=True)
    args = dict(previous=previous, tail=None if tail < 0 else tail, since=since_seconds, since_time=cutoff,
                timestamps=timestamps)
    reader = logs_lib.follow_log if follow else logs_lib.read_log
    out = sys.stdout.buffer
    for chunk in reader(api.store.root, pod, name, **args):
        out.write(chunk)
        if follow:
            out.flush()
    out.flush()
