"""`kubelite reconcile --members`: after the host, reconcile every reachable member cluster.

Each member runs its own Runner under its own reconcile lock, exactly as
`kubelite --state-dir MEMBER reconcile` would; a member that is unreachable, or whose
reconcile is already running, is reported and skipped. With --until-stable the host and
the members take turns until a host pass writes nothing (so the host's view of the
members, e.g. ServiceDNSRecords, is current), at most --max-passes rounds.
"""
from __future__ import annotations

import click

from kubelite.errors import Busy, KubeliteError


def _members(host):
    from kubelite.api import kinds
    from kubelite.controllers._common import is_terminating
    from kubelite.federation import FED_NAMESPACE
    from kubelite.federation.members import open_members

    clusters = [o for o in host.store.list(kinds.by_kind("KubeFedCluster"), FED_NAMESPACE) if not is_terminating(o)]
    return open_members(clusters, host, host.clock)


def _run_member(m, until_stable: bool, max_passes: int, quiet: bool) -> dict:
    from kubelite.runtime.runner import EXIT_DEGRADED, Runner

    entry: dict = {"name": m.name, "stateDir": str(m.path) if m.path else None}
    if m.is_host:
        entry.update(exit=None, status="Host", message="the host's own state directory; reconciled as the host")
        return entry
    if not m.ready:
        entry.update(exit=None, status="Offline", message=m.health.message)
        click.echo(f"warning: member {m.name} skipped: {m.health.message}", err=True)
        return entry

    def on_change(ch):
        if not quiet:
            click.echo(f"[{m.name}] {ch.line()}")

    def on_problem(pr):
        if not quiet:
            click.echo(f"[{m.name}] {pr.line()}", err=True)

    try:
        result = Runner(m.api, None, on_change, on_problem).run(until_stable=until_stable, max_passes=max_passes)
    except Busy as e:
        entry.update(exit=e.exit_code, status="Busy", message=e.message)
        click.echo(f"warning: member {m.name} skipped: {e.message}", err=True)
        return entry
    except KubeliteError as e:
        entry.update(exit=EXIT_DEGRADED, status="Failed", message=e.message)
        click.echo(f"error: member {m.name}: {e.message}", err=True)
        return entry
    summary = result.summary()
    entry.update(exit=result.exit_code(until_stable), status="Reconciled", passes=summary["passes"],
                 stable=summary["stable"], writes=summary["writes"], errors=summary["errors"])
    if until_stable and not result.stable:
        click.echo(f"error: member {m.name}: not stable after {max_passes} passes", err=True)
    return entry


def reconcile_members(ctx, until_stable: bool, max_passes: int, quiet: bool) -> list[dict]:
    """Reconcile every reachable member; one dict per member (name, exit, status, ...)."""
    from kubelite.runtime.runner import Runner

    host = ctx.api
    rounds = max_passes if until_stable else 1
    out: list[dict] = []
    host_entry: dict | None = None
    for _ in range(rounds):
        out = [_run_member(m, until_stable, max_passes, quiet) for m in _members(host)]
        if not until_stable:
            break
        # The members moved on (pods ran, endpoints filled): let the host see it, and
        # go round again while the host still writes (to itself or to the members).

        def on_change(ch):
            if not quiet:
                click.echo(ch.line())

        def on_problem(pr):
            if not quiet:
                click.echo(pr.line(), err=True)

        try:
            result = Runner(host, None, on_change, on_problem).run(until_stable=True, max_passes=max_passes)
        except Busy as e:
            host_entry = {"name": "host", "role": "host", "exit": e.exit_code, "status": "Busy", "message": e.message}
            click.echo(f"warning: {e.message}", err=True)
            break
        code = result.exit_code(True)
        host_entry = None if not code else {"name": "host", "role": "host", "exit": code, "status": "Reconciled",
                                            "errors": result.summary()["errors"]}
        if sum(p.writes for p in result.passes) == 0:
            break
    if host_entry is not None:
        out.append(host_entry)
    return out
