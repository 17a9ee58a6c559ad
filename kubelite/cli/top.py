"""`kubelite top pods|nodes`: simulated resource usage in the shape of metrics.k8s.io.

A running pod's usage is its `sim.kubelite.io/cpu` and `sim.kubelite.io/memory`
annotations (0 when absent), reported on its first container; a node's is the sum of its
running pods'. The HorizontalPodAutoscaler reads the same numbers.
"""
from __future__ import annotations

import sys
from fractions import Fraction

import click

from kubelite.api import kinds, quantity, selectors
from kubelite.cli.context import global_options, obj
from kubelite.cli.output import dump_json, dump_yaml, render_plain

API_VERSION = "metrics.k8s.io/v1beta1"
WINDOW = "30s"


def _usage(pod: dict) -> tuple[int, int]:
    """(cpu milli-cores, memory bytes) of a pod."""
    from kubelite.controllers.horizontalpodautoscaler import pod_usage

    return pod_usage(pod, "cpu") or 0, (pod_usage(pod, "memory") or 0) // 1000


def _running(pods: list[dict]) -> list[dict]:
    return [p for p in pods if (p.get("status") or {}).get("phase") == "Running" and (p.get("spec") or {}).get("nodeName")]


def _cpu(milli: int) -> str:
    return f"{milli}m"


def _mem(n: int) -> str:
    return f"{n // (1024 * 1024)}Mi"


def _quantities(cpu: int, mem: int) -> dict:
    return {"cpu": quantity.format(Fraction(cpu, 1000)), "memory": quantity.format(Fraction(mem), binary=True)}


def _emit(output: str | None, kind: str, items: list[dict], headers: list[str], rows: list[list[str]]) -> None:
    if output in ("json", "yaml"):
        data = {"kind": kind, "apiVersion": API_VERSION, "metadata": {}, "items": items}
        click.echo(dump_json(data) if output == "json" else dump_yaml(data), nl=False)
        return
    render_plain([headers] + rows, sys.stdout)


@click.group()
def top():
    """Display resource (CPU/memory) usage of pods or nodes, from the simulated metrics.

    \b
    Examples:
      kubelite top pods -n shop
      kubelite top nodes
      kubelite top pods -A -o json
    """


@top.command("pods")
@click.option("-l", "--selector", default=None, help="Selector (label query) to filter on.")
@click.option("-A", "--all-namespaces", "every", is_flag=True, help="Pods of every namespace.")
@click.option("-o", "--output", type=click.Choice(["json", "yaml"]), default=None, help="PodMetrics objects instead of a table.")
@global_options
def pods(selector, every, output):
    """Display resource (CPU/memory) usage of pods.

    \b
    Example:
      kubelite top pods -l app=web
    """
    c = obj()
    sel = selectors.parse(selector)
    found = [p for p in _running(c.api.list(kinds.by_kind("Pod"), None if every else c.namespace))
             if sel.matches(p["metadata"].get("labels"))]
    found.sort(key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))
    stamp = c.api.clock.stamp()
    items, rows = [], []
    for p in found:
        cpu, mem = _usage(p)
        ctrs = [ct.get("name", "") for ct in (p.get("spec") or {}).get("containers") or []]
        items.append({"kind": "PodMetrics", "apiVersion": API_VERSION,
                      "metadata": {"name": p["metadata"]["name"], "namespace": p["metadata"]["namespace"],
                                   "creationTimestamp": stamp, "labels": p["metadata"].get("labels") or {}},
                      "timestamp": stamp, "window": WINDOW,
                      "containers": [{"name": n, "usage": _quantities(cpu, mem) if i == 0 else _quantities(0, 0)}
                                     for i, n in enumerate(ctrs)]})
        row = [p["metadata"]["name"], _cpu(cpu), _mem(mem)]
        rows.append([p["metadata"]["namespace"]] + row if every else row)
    headers = ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    _emit(output, "PodMetricsList", items, ["NAMESPACE"] + headers if every else headers, rows)


@top.command("nodes")
@click.option("-l", "--selector", default=None, help="Selector (label query) to filter on.")
@click.option("-o", "--output", type=click.Choice(["json", "yaml"]), default=None, help="NodeMetrics objects instead of a table.")
@global_options
def nodes(selector, output):
    """Display resource (CPU/memory) usage of nodes: the sum of their running pods'.

    \b
    Example:
      kubelite top nodes
    """
    c = obj()
    sel = selectors.parse(selector)
    all_pods = _running(c.api.list(kinds.by_kind("Pod")))
    stamp = c.api.clock.stamp()
    items, rows = [], []
    for n in sorted(c.api.list(kinds.by_kind("Node")), key=lambda n: n["metadata"]["name"]):
        if not sel.matches(n["metadata"].get("labels")):
            continue
        name = n["metadata"]["name"]
        cpu = mem = 0
        for p in all_pods:
            if p["spec"]["nodeName"] == name:
                pc, pm = _usage(p)
                cpu, mem = cpu + pc, mem + pm
        st = n.get("status") or {}
        alloc = st.get("allocatable") or st.get("capacity") or {}
        cap_cpu = quantity.milli(alloc.get("cpu", 0))
        cap_mem = quantity.whole(alloc.get("memory", 0))
        items.append({"kind": "NodeMetrics", "apiVersion": API_VERSION,
                      "metadata": {"name": name, "creationTimestamp": stamp, "labels": n["metadata"].get("labels") or {}},
                      "timestamp": stamp, "window": WINDOW, "usage": _quantities(cpu, mem)})
        pct = lambda used, cap: f"{int(used * 100 / cap)}%" if cap else "<unknown>"  # noqa: E731
        rows.append([name, _cpu(cpu), pct(cpu, cap_cpu), _mem(mem), pct(mem, cap_mem)])
    _emit(output, "NodeMetricsList", items, ["NAME", "CPU(cores)", "CPU%", "MEMORY(bytes)", "MEMORY%"], rows)
