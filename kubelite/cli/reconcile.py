"""`kubelite reconcile`: run every controller once (or until stable) against the state directory."""
from __future__ import annotations

import json

import click

from kubelite.cli.context import global_options, obj
from kubelite.errors import UsageError


@click.command()
@click.option("--until-stable", is_flag=True, help="Repeat passes until one writes nothing.")
@click.option("--max-passes", type=int, default=20, show_default=True, help="With --until-stable: give up after this many passes (exit 4).")
@click.option("--controllers", default=None, help="Comma-separated subset to run, e.g. scheduler,kubelet.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors (for cron).")
@click.option("-o", "--output", type=click.Choice(["json"]), default=None, help="json: a summary for scripts.")
@click.option("--full", is_flag=True, help="Look at every object file for hand edits, also files rewritten in place.")
@click.option("--members", is_flag=True, help="Also reconcile every reachable federation member afterwards.")
@click.option("--list", "list_", is_flag=True, help="List the controllers in the order they run.")
@global_options
def reconcile(until_stable, max_passes, controllers, quiet, output, full, members, list_):
    """Run every controller once, in a fixed order, against the state directory.

    Prints one line per change. Exit codes: 0 clean; 1 degraded (a controller or an
    object failed, everything else ran); 3 another reconcile is running (nothing done);
    4 --until-stable ran out of passes.

    \b
    Examples:
      kubelite reconcile
      kubelite reconcile --until-stable
      * * * * * kubelite reconcile -q     (a crontab line)
    """
    from kubelite.runtime import runner

    if list_:
        for name in runner.available():
            click.echo(name)
        return
    if max_passes < 1:
        raise UsageError("--max-passes must be at least 1")
    c = obj()
    chosen = [x.strip() for x in controllers.split(",") if x.strip()] if controllers else None

    def on_change(ch):
        if not quiet and output is None:
            click.echo(ch.line())

    def on_problem(p):
        if output is None:
            click.echo(p.line(), err=True)

    r = runner.Runner(c.api, chosen, on_change, on_problem, full=full, skip_if_quiet=not members)
    result = r.run(until_stable=until_stable, max_passes=max_passes)
    code = result.exit_code(until_stable)
    summary = result.summary()
    if members:
        from kubelite.cli import federation_members

        summary["members"] = federation_members.reconcile_members(c, until_stable, max_passes, quiet or output is not None)
        if any(m.get("exit") not in (0, None) for m in summary["members"]):
            code = code or runner.EXIT_DEGRADED
    if output == "json":
        click.echo(json.dumps(summary, indent=2, sort_keys=True))
    elif until_stable and not result.stable:
        click.echo(f"error: not stable after {max_passes} passes", err=True)
    raise click.exceptions.Exit(code)
