"""The `kubelite` command: global options, lazy verb loading, and errors mapped to messages once."""
from __future__ import annotations

import importlib
import sys

import click

from kubelite.cli.context import GLOBAL_OPTIONS, global_options
from kubelite.errors import Busy, KubeliteError, ServerError, Unauthorized

# verb -> "module:function"; modules import only when their verb runs.
COMMANDS: dict[str, str] = {
    "api-resources": "kubelite.cli.misc:api_resources",
    "annotate": "kubelite.cli.modify:annotate",
    "apply": "kubelite.cli.apply:apply",
    "completion": "kubelite.cli.misc:completion",
    "create": "kubelite.cli.create:create",
    "delete": "kubelite.cli.delete:delete",
    "describe": "kubelite.cli.describe:describe",
    "doctor": "kubelite.cli.doctor:doctor",
    "diff": "kubelite.cli.apply:diff",
    "edit": "kubelite.cli.modify:edit",
    "explain": "kubelite.cli.explain:explain",
    "get": "kubelite.cli.get:get",
    "label": "kubelite.cli.modify:label",
    "logs": "kubelite.cli.logs:logs",
    "patch": "kubelite.cli.modify:patch",
    "replace": "kubelite.cli.apply:replace",
    "scale": "kubelite.cli.modify:scale",
    "version": "kubelite.cli.misc:version",
    "wait": "kubelite.cli.wait:wait",
    "reconcile": "kubelite.cli.reconcile:reconcile",
    "cordon": "kubelite.cli.node:cordon",
    "uncordon": "kubelite.cli.node:uncordon",
    "drain": "kubelite.cli.node:drain",
    "evict": "kubelite.cli.node:evict",
    "rollout": "kubelite.cli.rollout:rollout",
    "set": "kubelite.cli.rollout:set_",
    "resolve": "kubelite.cli.resolve:resolve",
    "auth": "kubelite.cli.auth:auth",
    "audit": "kubelite.cli.auth:audit",
    "federation": "kubelite.cli.federation:federation",
    "config": "kubelite.cli.config:config",
    "serve": "kubelite.cli.serve:serve",
    "top": "kubelite.cli.top:top",
    "netpol": "kubelite.cli.netpol:netpol",
}
HELP = {
    "api-resources": "Print the supported API resources",
    "annotate": "Update the annotations on a resource",
    "apply": "Apply a configuration to a resource by file name or stdin",
    "completion": "Output shell completion code for the specified shell (bash, zsh or fish)",
    "create": "Create a resource from a file or from stdin",
    "delete": "Delete resources by file names, stdin, resources and names, or by resources and label selector",
    "describe": "Show details of a specific resource or group of resources",
    "doctor": "Check the state directory for damage; --fix sets bad files aside in STATE/quarantine/",
    "diff": "Diff the live version against a would-be applied version",
    "edit": "Edit a resource on the server",
    "explain": "Get documentation for a resource",
    "get": "Display one or many resources",
    "label": "Update the labels on a resource",
    "logs": "Print the logs for a container in a pod",
    "patch": "Update fields of a resource",
    "replace": "Replace a resource by file name or stdin",
    "scale": "Set a new size for a deployment, replica set, or replication controller",
    "version": "Print the client version information",
    "wait": "Experimental: Wait for a specific condition on one or many resources",
    "reconcile": "Run every controller once (or --until-stable) against the state directory",
    "cordon": "Mark node as unschedulable",
    "uncordon": "Mark node as schedulable",
    "drain": "Drain node in preparation for maintenance",
    "evict": "Evict pods through the Eviction API, honouring PodDisruptionBudgets",
    "rollout": "Manage the rollout of a resource",
    "set": "Set specific features on objects",
    "resolve": "Answer what cluster DNS would for a name",
    "auth": "Inspect authorization",
    "audit": "Read the audit log of writes and denials",
    "federation": "Join and unjoin member clusters of a federation (KubeFed)",
    "config": "Name state directories as contexts and pick the current one",
    "serve": "Serve the Kubernetes API over HTTPS from the state directory",
    "top": "Display resource (CPU/memory) usage of pods or nodes",
    "netpol": "Answer whether NetworkPolicies allow traffic between two pods",
}


def register(verb: str, target: str, help_text: str) -> None:
    COMMANDS[verb] = target
    HELP[verb] = help_text


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, func = target.split(":")
        return getattr(importlib.import_module(module), func)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(n, HELP.get(n, "")) for n in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(self, ctx, args):
        name = args[0] if args else None
        if name is not None and name not in COMMANDS and not name.startswith("-"):
            raise KubeliteError(f'unknown command "{name}" for "kubelite"')
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@global_options
@click.pass_context
def cli(ctx: click.Context, **kwargs) -> None:
    """kubelite: Kubernetes' control plane as a command-line tool over a directory.

    \b
    Write real Kubernetes manifests; kubelite stores them as YAML files in a
    state directory (--state-dir, $KUBELITE_STATE_DIR, or ~/.kubelite).

    \b
    Example:
      kubelite apply -f samples/ && kubelite get all -A
    """


def _hoist_global_options(argv: list[str]) -> list[str]:
    """Let global options stand before or after the verb, as kubectl's do.

    Options before the verb are moved after it, so each command parses them.
    """
    if not argv:
        return argv
    takes_value = {o for o, v in GLOBAL_OPTIONS.items() if v}
    flags = {o for o, v in GLOBAL_OPTIONS.items() if not v}
    head: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        opt = a.split("=", 1)[0]
        if opt in takes_value:
            if "=" in a:
                head.append(a)
                i += 1
            else:
                head += argv[i:i + 2]
                i += 2
        elif a in flags:
            head.append(a)
            i += 1
        else:
            break
    if i >= len(argv) or argv[i].startswith("-"):
        return argv
    verb = argv[i]
    rest = argv[i + 1:]
    # Nested groups (create deployment, rollout status, auth can-i) take options after their leaf,
    # but before a `--` that starts a command (`create job pi --image=perl -- perl -e ...`).
    cut = rest.index("--") if "--" in rest else len(rest)
    return [verb] + rest[:cut] + head + rest[cut:]


def one_line(text: str) -> str:
    """Escape control characters (newlines, NUL, terminal escapes) that hostile names or
    values carry into a message, so every error stays one printable line."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == "\t" else ascii(ch)[1:-1] for ch in text)


def report(err: KubeliteError) -> int:
    """Print one error the way kubectl words it, and return the exit code."""
    err.message = one_line(err.message)
    if isinstance(err, Unauthorized):
        click.echo(f"error: {err.message}", err=True)
    elif isinstance(err, ServerError):
        if err.reason == "Invalid" and err.message.startswith("The "):
            click.echo(err.message, err=True)
        else:
            click.echo(f"Error from server ({err.reason}): {err.message}", err=True)
    elif err.reason == "NXDOMAIN":
        click.echo(err.message, err=True)
    elif isinstance(err, Busy):
        click.echo(f"error: {err.message}", err=True)
    else:
        msg = err.message
        click.echo(msg if msg.startswith("error: ") else f"error: {msg}", err=True)
    return err.exit_code


def _undecodable(argv: list[str]) -> str | None:
    """The first argument holding bytes that are not UTF-8 (Python keeps them as lone surrogates)."""
    for a in argv:
        try:
            a.encode("utf-8")
        except UnicodeEncodeError:
            return a
    return None


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    bad = _undecodable(argv)
    if bad is not None:  # no name, label or value can hold them; refuse before anything is read
        click.echo(one_line(f"error: argument {bad.encode('utf-8', 'surrogateescape')!r} is not valid UTF-8"), err=True)
        sys.exit(1)
    try:
        rc = cli.main(args=_hoist_global_options(argv), prog_name="kubelite", standalone_mode=False)
    except KubeliteError as e:
        sys.exit(report(e))
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        sys.exit(1)
    except click.ClickException as e:
        msg = one_line(e.format_message())
        click.echo(f"error: {msg}", err=True)
        if isinstance(e, click.UsageError) and e.ctx is not None:
            click.echo(f"See '{e.ctx.command_path} -h' for help and examples", err=True)
        sys.exit(1)  # kubectl exits 1 for usage errors too (click would use 2)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as e:  # a bug: still one line, never a traceback, unless asked for
        import os

        if os.environ.get("KUBELITE_DEBUG"):
            raise
        click.echo(one_line(f"error: internal error: {type(e).__name__}: {e} (set KUBELITE_DEBUG=1 for a traceback)"), err=True)
        sys.exit(1)
    code = rc if isinstance(rc, int) else 0
    if code == 0:
        from kubelite.cli.context import OPENED

        for store in OPENED:
            store.flush_cache()
    sys.exit(code)
