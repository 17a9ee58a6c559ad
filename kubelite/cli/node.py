"""`cordon`, `uncordon` and `drain`, as kubectl's."""
from __future__ import annotations

import copy

import click

from kubelite.api import kinds
from kubelite.cli.context import global_options, obj
from kubelite.errors import KubeliteError, UsageError


def _set_unschedulable(name: str, value: bool) -> None:
    c = obj()
    with c.api.store.locked():  # read and write as one, like a PATCH
        _set_unschedulable_locked(c, name, value)


def _set_unschedulable_locked(c, name: str, value: bool) -> None:
    nk = kinds.by_kind("Node")
    node = c.api.get(nk, None, name)
    current = bool((node.get("spec") or {}).get("unschedulable"))
    if current == value:
        click.echo(f"node/{name} already {'cordoned' if value else 'uncordoned'}")
        return
    updated = copy.deepcopy(node)
    if value:
        updated.setdefault("spec", {})["unschedulable"] = True
    else:
        updated.setdefault("spec", {}).pop("unschedulable", None)
    c.api.update(updated, prepared=nk, verb="patch")
    click.echo(f"node/{name} {'cordoned' if value else 'uncordoned'}")


@click.command()
@click.argument("node")
@global_options
def cordon(node):
    """Mark node as unschedulable.

    \b
    Example:
      kubelite cordon node-1
    """
    _set_unschedulable(node, True)


@click.command()
@click.argument("node")
@global_options
def uncordon(node):
    """Mark node as schedulable.

    \b
    Example:
      kubelite uncordon node-1
    """
    _set_unschedulable(node, False)


def _controller_of(pod: dict) -> dict | None:
    for r in pod["metadata"].get("ownerReferences") or []:
        if r.get("controller"):
            return r
    return None


@click.command()
@click.argument("node")
@click.option("--ignore-daemonsets", is_flag=True, help="Ignore DaemonSet-managed pods.")
@click.option("--delete-emptydir-data", is_flag=True, help="Continue even if there are pods using emptyDir.")
@click.option("--force", is_flag=True, help="Continue even if there are pods not managed by a controller.")
@click.option("--dry-run", "dry_run", default=None, flag_value="client", is_flag=False)
@global_options
def drain(node, ignore_daemonsets, delete_emptydir_data, force, dry_run):
    """Drain node in preparation for maintenance: cordon it, then evict its pods.

    Controllers replace evicted pods on other nodes at the next reconcile.

    \b
    Example:
      kubelite drain node-1 --ignore-daemonsets
    """
    c = obj()
    api = c.api
    pk = kinds.by_kind("Pod")
    if not dry_run:
        _set_unschedulable(node, True)
    pods = [p for p in api.list(pk) if (p.get("spec") or {}).get("nodeName") == node]
    errors, warnings, evict = [], [], []
    for p in pods:
        ns, name = p["metadata"]["namespace"], p["metadata"]["name"]
        if (p.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            evict.append(p)
            continue
        ctl = _controller_of(p)
        if ctl and ctl.get("kind") == "DaemonSet":
            if ignore_daemonsets:
                warnings.append(f"{ns}/{name}")
                continue
            errors.append(f"cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): {ns}/{name}")
            continue
        if not ctl and not force:
            errors.append(f"cannot delete Pods that declare no controller (use --force to override): {ns}/{name}")
            continue
        if any("emptyDir" in v for v in (p.get("spec") or {}).get("volumes") or []) and not delete_emptydir_data:
            errors.append(f"cannot delete Pods with local storage (use --delete-emptydir-data to override): {ns}/{name}")
            continue
        evict.append(p)
    if errors:
        raise UsageError(f'unable to drain node "{node}": ' + "; ".join(errors))
    if warnings:
        click.echo(f"Warning: ignoring DaemonSet-managed Pods: {', '.join(warnings)}", err=True)
    from kubelite.runtime import events

    for p in evict:
        ns, name = p["metadata"]["namespace"], p["metadata"]["name"]
        if dry_run:
            click.echo(f"evicting pod {ns}/{name} (dry run)")
            continue
        click.echo(f"evicting pod {ns}/{name}")
        try:
            api.evict(ns, name)
        except KubeliteError as e:
            if e.reason == "Forbidden":
                raise
            continue
        events.record(api, p, "Normal", "Evicted", "Evicted by kubelite drain", "kubelite-drain")
        click.echo(f'pod/{name} evicted')
    click.echo(f"node/{node} drained" + (" (dry run)" if dry_run else ""))
