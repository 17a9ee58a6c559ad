"""`kubelite config`: contexts, names for state directories (kubectl config's verbs)."""
from __future__ import annotations

from pathlib import Path

import click

from kubelite.cli import contexts
from kubelite.cli.context import global_options, obj
from kubelite.errors import UsageError


@click.group()
def config():
    """Modify the contexts file ($KUBELITE_CONFIG or ~/.config/kubelite/config.yaml).

    A context names a state directory, so `--context NAME` (or $KUBELITE_CONTEXT)
    speaks to that cluster, and the current context is the default directory.

    \b
    Examples:
      kubelite config set-context host --state-dir ~/fed/host
      kubelite config set-context eu --state-dir ~/fed/eu
      kubelite config use-context host
      kubelite --context eu get deploy -A
    """


@config.command("set-context")
@click.argument("name")
@global_options
def set_context(name):
    """Create or modify the context NAME: `--state-dir DIR` sets its directory.

    \b
    Example:
      kubelite config set-context eu --state-dir ~/fed/eu
    """
    c = obj()
    data = contexts.load()
    entry = contexts.find(data, name)
    if c.state_dir_flag is None and entry is None:
        raise UsageError(f'context "{name}" does not exist; give its directory with --state-dir DIR')
    created = entry is None
    if created:
        entry = {"name": name, "context": {}}
        data["contexts"].append(entry)
    if c.state_dir_flag is not None:
        entry.setdefault("context", {})["state-dir"] = str(Path(c.state_dir_flag).expanduser().absolute())
    contexts.save(data)
    click.echo(f'Context "{name}" {"created" if created else "modified"}.')


@config.command("use-context")
@click.argument("name")
@global_options
def use_context(name):
    """Make NAME the current context: the default state directory from now on.

    \b
    Example:
      kubelite config use-context host
    """
    data = contexts.load()
    if contexts.find(data, name) is None:
        raise UsageError(f'no context exists with the name: "{name}"')
    data["current-context"] = name
    contexts.save(data)
    click.echo(f'Switched to context "{name}".')


@config.command("get-contexts")
@click.argument("names", nargs=-1)
@click.option("-o", "--output", type=click.Choice(["name"]), default=None, help="name: only the names.")
@click.option("--no-headers", is_flag=True, help="Don't print headers.")
@global_options
def get_contexts(names, output, no_headers):
    """List the contexts (or the ones named), the current one marked with *.

    \b
    Example:
      kubelite config get-contexts
    """
    data = contexts.load()
    rows = []
    for n in names:
        if contexts.find(data, n) is None:
            raise UsageError(f'context {n} not found')
    current = data.get("current-context")
    for entry in sorted(data["contexts"], key=lambda e: e["name"]):
        if names and entry["name"] not in names:
            continue
        if output == "name":
            click.echo(entry["name"])
            continue
        rows.append(["*" if entry["name"] == current else "", entry["name"],
                     (entry.get("context") or {}).get("state-dir") or ""])
    if output == "name":
        return
    import sys

    from kubelite.cli.output import render_plain

    render_plain(rows if no_headers else [["CURRENT", "NAME", "STATE DIR"]] + rows, sys.stdout)


@config.command("current-context")
@global_options
def current_context():
    """Print the current context's name.

    \b
    Example:
      kubelite config current-context
    """
    name = contexts.load().get("current-context")
    if not name:
        raise UsageError("current-context is not set")
    click.echo(name)


@config.command("delete-context")
@click.argument("name")
@global_options
def delete_context(name):
    """Delete the context NAME (its state directory is left alone).

    \b
    Example:
      kubelite config delete-context eu
    """
    data = contexts.load()
    entry = contexts.find(data, name)
    if entry is None:
        raise UsageError(f'cannot delete context {name}, not in {contexts.config_path()}')
    data["contexts"].remove(entry)
    if data.get("current-context") == name:
        click.echo("warning: this removed your active context, use \"kubelite config use-context\" to select a different one", err=True)
        data.pop("current-context", None)
    contexts.save(data)
    click.echo(f"deleted context {name} from {contexts.config_path()}")
