"""`kubelite wait`: poll objects until a condition, deletion or JSONPath value holds."""
from __future__ import annotations

import time

import click

from kubelite.api import jsonpath, selectors
from kubelite.cli.context import global_options, obj
from kubelite.cli.inputs import duration_flag, parse_refs
from kubelite.errors import KubeliteError, NotFound, UsageError


def _check(o: dict | None, cond: str) -> bool:
    if cond == "delete":
        return o is None
    if o is None:
        return False
    if cond.startswith("condition="):
        want = cond.split("=", 1)[1]
        ctype, _, value = want.partition("=")
        value = value or "True"
        for c in (o.get("status") or {}).get("conditions") or []:
            if c.get("type", "").lower() == ctype.lower():
                return str(c.get("status", "")).lower() == value.lower()
        return False
    if cond.startswith("jsonpath="):
        expr = cond.split("=", 1)[1]
        path, sep, value = expr.rpartition("=") if "}=" in expr or ("=" in expr and not expr.startswith("{")) else (expr, "", "")
        if not sep:
            path = expr
        path = path.strip("'\"")
        tmpl = path if path.startswith("{") else "{" + path + "}"
        got = jsonpath.evaluate(tmpl, o)
        return got == value.strip("'\"") if sep else got != ""
    raise UsageError(f"unrecognized condition: {cond!r}")


@click.command()
@click.argument("args", nargs=-1, required=True)
@click.option("--for", "for_", required=True, help="delete, condition=NAME[=VALUE] or jsonpath='{.path}'=VALUE.")
@click.option("--timeout", default="30s", help="How long to wait, e.g. 30s, 5m. Zero checks once.")
@click.option("-l", "--selector", default=None)
@click.option("--all", "all_", is_flag=True)
@global_options
def wait(args, for_, timeout, selector, all_):
    """Wait for a specific condition on one or many resources.

    kubelite changes state only when commands run, so wait is most useful while a
    `kubelite reconcile` loop runs elsewhere (cron, another shell).

    \b
    Examples:
      kubelite wait --for=condition=Available deploy/web --timeout=60s
      kubelite wait --for=delete pod/web-0
      kubelite wait --for=jsonpath='{.status.phase}'=Running pod/web-0
    """
    c = obj()
    api = c.api
    deadline = time.monotonic() + duration_flag(timeout, "--timeout")
    targets = []
    sel = selectors.parse(selector)
    for ref in parse_refs(args):
        if ref.names:
            targets += [(ref.kind, n) for n in ref.names]
        else:
            targets += [(ref.kind, o["metadata"]["name"]) for o in api.list(ref.kind, c.namespace) if sel.matches(o["metadata"].get("labels"))]
    if not targets:
        raise UsageError("no matching resources found")
    for kind, name in targets:
        while True:
            o = api.try_get(kind, c.namespace, name)
            if o is None and for_ != "delete":
                if time.monotonic() >= deadline:
                    raise NotFound(kind.resource, name)
                _sleep()
                continue
            if _check(o, for_):
                verb = "condition met" if for_ != "delete" else "deleted"
                click.echo(f"{kind.qualified}/{name} {verb}")
                break
            if time.monotonic() >= deadline:
                raise KubeliteError(f"timed out waiting for the condition on {kind.resource}/{name}")
            _sleep()


def _sleep() -> None:
    time.sleep(0.2)
