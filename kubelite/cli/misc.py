"""`version`, `api-resources` and `completion`."""
from __future__ import annotations

import json
import platform

import click

from kubelite.cli.context import global_options


@click.command()
@click.option("--client", is_flag=True, help="Print the client version only (kubelite has no separate server).")
@click.option("-o", "--output", type=click.Choice(["json", "yaml"]), default=None)
@global_options
def version(client, output):
    """Print the kubelite version.

    \b
    Example:
      kubelite version -o json
    """
    from kubelite import __version__

    info = {"clientVersion": {"gitVersion": f"v{__version__}", "platform": f"{platform.system().lower()}/{platform.machine()}",
                              "pythonVersion": platform.python_version()}}
    if output == "json":
        click.echo(json.dumps(info, indent=2))
    elif output == "yaml":
        from kubelite.cli.output import dump_yaml

        click.echo(dump_yaml(info), nl=False)
    else:
        click.echo(f"Client Version: v{__version__}")


@click.command("api-resources")
@click.option("--namespaced", type=click.BOOL, default=None, help="true for namespaced kinds only, false for cluster-scoped.")
@click.option("--api-group", default=None)
@click.option("-o", "--output", type=click.Choice(["wide", "name"]), default=None)
@click.option("--no-headers", is_flag=True)
@global_options
def api_resources(namespaced, api_group, output, no_headers):
    """Print the supported API resources.

    \b
    Example:
      kubelite api-resources --namespaced=true
    """
    from kubelite.api import kinds
    from kubelite.cli.output import render_plain

    from kubelite.api import versions

    rows = []
    from kubelite.cli.context import obj

    obj().api  # noqa: B018 - the state directory's CRDs serve kinds too
    # A kind also served in another group (events.k8s.io events) is listed there too, as
    # discovery lists it; another version of the same group (autoscaling/v1) is not.
    served = list(kinds.all_kinds())
    served += [k for k in versions.other_kinds() if k.group != kinds.by_kind(k.kind).group]
    for k in sorted(served, key=lambda k: (k.group, k.plural)):
        if namespaced is not None and k.namespaced != namespaced:
            continue
        if api_group is not None and k.group != api_group:
            continue
        if output == "name":
            click.echo(k.resource)
            continue
        row = [k.plural, ",".join(k.short_names), k.api_version, "true" if k.namespaced else "false", k.kind]
        if output == "wide":
            row += ["create,delete,deletecollection,get,list,patch,update,watch" if k.kind != "Event" or True else "", ",".join(k.categories)]
        rows.append(row)
    if output == "name":
        return
    headers = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"] + (["VERBS", "CATEGORIES"] if output == "wide" else [])
    import sys

    render_plain(rows if no_headers else [headers] + rows, sys.stdout)


@click.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
@global_options
def completion(shell):
    """Output shell completion code for the specified shell (bash, zsh or fish).

    \b
    Example:
      source <(kubelite completion bash)
    """
    import os
    import subprocess
    import sys

    env = dict(os.environ, _KUBELITE_COMPLETE=f"{shell}_source")
    out = subprocess.run([sys.executable, "-c", "from kubelite.cli.main import cli; cli(prog_name='kubelite')"],
                         env=env, capture_output=True, text=True)
    click.echo(out.stdout, nl=False)
