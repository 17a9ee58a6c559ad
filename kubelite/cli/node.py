"""`cordon`, `uncordon` and `drain`, as kubectl's."""
from __future__ import annotations

import copy

import click

from kubelite.api import kinds
from kubelite.cli.context import global_options, obj
from kubelite.cli.inputs import duration_flag
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


RETRY_SECONDS = 5.0  # kubectl's pause before evicting again a pod a disruption budget protects


def _filter(pods: list[dict], ignore_daemonsets: bool, delete_emptydir_data: bool, force: bool):
    """kubectl's drain filters: (pods to remove, fatal messages, warnings), as its filters.go words them."""
    fatal: dict[str, list[str]] = {}
    warn: dict[str, list[str]] = {}
    out = []
    for p in pods:
        ref = f"{p['metadata']['namespace']}/{p['metadata']['name']}"
        if (p.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            out.append(p)
            continue
        ctl = _controller_of(p)
        if ctl and ctl.get("kind") == "DaemonSet":
            if ignore_daemonsets:
                warn.setdefault("ignoring DaemonSet-managed Pods", []).append(ref)
            else:
                fatal.setdefault("DaemonSet-managed Pods (use --ignore-daemonsets to ignore)", []).append(ref)
            continue
        if not ctl:
            if not force:
                fatal.setdefault("Pods declare no controller (use --force to override)", []).append(ref)
                continue
            warn.setdefault("deleting Pods that declare no controller", []).append(ref)
        if any("emptyDir" in v for v in (p.get("spec") or {}).get("volumes") or []):
            if not delete_emptydir_data:
                fatal.setdefault("Pods with local storage (use --delete-emptydir-data to override)", []).append(ref)
                continue
            warn.setdefault("deleting Pods with local storage", []).append(ref)
        out.append(p)
    return out, [f"cannot delete {k}: {', '.join(v)}" for k, v in fatal.items()], [f"{k}: {', '.join(v)}" for k, v in warn.items()]


@click.command()
@click.argument("node")
@click.option("--ignore-daemonsets", is_flag=True, help="Ignore DaemonSet-managed pods.")
@click.option("--delete-emptydir-data", is_flag=True, help="Continue even if there are pods using emptyDir.")
@click.option("--force", is_flag=True, help="Continue even if there are pods not managed by a controller.")
@click.option("--disable-eviction", is_flag=True,
              help="Delete pods instead of evicting them, bypassing PodDisruptionBudgets.")
@click.option("--timeout", "timeout", default="0s", show_default=True,
              help="How long to keep retrying evictions a disruption budget refuses before giving up; 0s waits forever.")
@click.option("--dry-run", "dry_run", default=None, flag_value="client", is_flag=False)
@global_options
def drain(node, ignore_daemonsets, delete_emptydir_data, force, disable_eviction, timeout, dry_run):
    """Drain node in preparation for maintenance: cordon it, then evict its pods.

    Evictions honour PodDisruptionBudgets: a pod whose budget allows no disruption now
    is retried every 5 seconds (a concurrent `kubelite reconcile` may free the budget)
    until --timeout. Controllers replace evicted pods on other nodes at the next reconcile.

    \b
    Examples:
      kubelite drain node-1 --ignore-daemonsets
      kubelite drain node-1 --ignore-daemonsets --timeout 30s
      kubelite drain node-1 --disable-eviction --force
    """
    import time

    c = obj()
    api = c.api
    pk = kinds.by_kind("Pod")
    limit = duration_flag(timeout, "--timeout")
    if not dry_run:
        _set_unschedulable(node, True)
    pods = [p for p in api.list(pk) if (p.get("spec") or {}).get("nodeName") == node]
    remove, errors, warnings = _filter(pods, ignore_daemonsets, delete_emptydir_data, force)
    if errors:
        raise UsageError(f'unable to drain node "{node}": ' + "; ".join(errors))
    for w in warnings:
        click.echo(f"Warning: {w}", err=True)
    from kubelite.errors import TooManyRequests
    from kubelite.runtime import events

    started = time.monotonic()
    pending = sorted(remove, key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))
    failed: list[str] = []
    while pending:
        blocked = []
        for p in pending:
            ns, name = p["metadata"]["namespace"], p["metadata"]["name"]
            if dry_run:
                click.echo(f"evicting pod {ns}/{name} (dry run)")
                continue
            try:
                if disable_eviction:
                    api.delete(pk, ns, name)
                else:
                    click.echo(f"evicting pod {ns}/{name}")
                    api.evict(ns, name)
            except TooManyRequests as e:
                why = "; ".join(e.causes)
                click.echo(f'error when evicting pods/"{name}" -n "{ns}" (will retry after 5s): {e.message}'
                           + (f" ({why})" if why else ""), err=True)
                blocked.append(p)
                continue
            except KubeliteError as e:
                if e.reason == "NotFound":
                    continue  # gone already: nothing left to evict
                if e.reason == "Forbidden" and "eviction" not in e.message and "poddisruptionbudget" not in e.message:
                    raise
                failed.append(f'error when evicting pods/"{name}" -n "{ns}": {e.message}')
                continue
            if not disable_eviction:
                events.record(api, p, "Normal", "Evicted", "Evicted by kubelite drain", "kubelite-drain")
            click.echo(f"pod/{name} {'deleted' if disable_eviction else 'evicted'}")
        pending = blocked
        if not pending:
            break
        left = limit - (time.monotonic() - started) if limit else RETRY_SECONDS
        if left <= 0:
            err = f'error when evicting pods/"{pending[0]["metadata"]["name"]}" -n "{pending[0]["metadata"]["namespace"]}": global timeout reached: {timeout}'
            click.echo(f'There are pending pods in node "{node}" when an error occurred: {err}', err=True)
            for p in pending:
                click.echo(f"pod/{p['metadata']['name']}", err=True)
            raise UsageError(f'unable to drain node "{node}" due to error: {err}, continuing command...')
        time.sleep(min(RETRY_SECONDS, left))
        c.api.store.flush_cache() if hasattr(c.api.store, "flush_cache") else None
    if failed:
        raise UsageError(f'unable to drain node "{node}" due to error: ' + ", ".join(failed) + ", continuing command...")
    click.echo(f"node/{node} drained" + (" (dry run)" if dry_run else ""))


@click.command()
@click.argument("pods", nargs=-1, required=True)
@click.option("--dry-run", "dry_run", default=None, flag_value="server", is_flag=False,
              help="Check the eviction against the disruption budgets without evicting.")
@global_options
def evict(pods, dry_run):
    """Evict pods through the Eviction API (pods/eviction), honouring PodDisruptionBudgets.

    A refusal is upstream's 429 TooManyRequests, followed by the budget that refused it.

    \b
    Example:
      kubelite evict web-7x9k2 -n shop
    """
    from kubelite.errors import TooManyRequests

    c = obj()
    for name in pods:
        try:
            c.api.evict(c.namespace, name, dry_run=bool(dry_run))
        except TooManyRequests as e:
            for cause in e.causes:
                click.echo(cause, err=True)
            raise
        click.echo(f"pod/{name} evicted" + (" (server dry run)" if dry_run else ""))
