"""`kubelite netpol check FROM TO`: whether NetworkPolicies allow traffic between two pods,
and which policies decide it (kubelite.policy.netpol). Exit 0 allowed, 1 denied."""
from __future__ import annotations

import json

import click

from kubelite.api import kinds
from kubelite.cli.context import global_options, obj
from kubelite.errors import NotFound


@click.group()
def netpol():
    """Answer questions about NetworkPolicies.

    \b
    Example:
      kubelite netpol check shop/frontend shop/db --port 5432
    """


def _pod(c, ref: str) -> dict:
    ns, _, name = ref.rpartition("/")
    ns = ns or c.namespace
    pod = c.api.try_get(kinds.by_kind("Pod"), ns, name)
    if pod is None:
        raise NotFound("pods", name, f'pods "{name}" not found in namespace "{ns}"')
    return pod


def _ref(pod: dict) -> str:
    return f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"


@netpol.command("check")
@click.argument("source", metavar="FROM")
@click.argument("destination", metavar="TO")
@click.option("--port", default=None, help="Destination port, a number or a named container port (default: any port).")
@click.option("--protocol", default="TCP", type=click.Choice(["TCP", "UDP", "SCTP"]), show_default=True)
@click.option("-o", "--output", type=click.Choice(["json"]), default=None, help="json: the verdict and deciding policies.")
@global_options
def check(source, destination, port, protocol, output):
    """Whether traffic from pod FROM to pod TO is allowed; FROM and TO are POD or NAMESPACE/POD.

    Exit 0 when allowed, 1 when denied.

    \b
    Examples:
      kubelite netpol check frontend api --port 8080 -n shop
      kubelite netpol check shop/frontend shop/db --port 5432 -o json
    """
    from kubelite.policy import netpol as np

    c = obj()
    src, dst = _pod(c, source), _pod(c, destination)
    nk = kinds.for_object("networking.k8s.io/v1", "NetworkPolicy")
    namespaces = {src["metadata"]["namespace"], dst["metadata"]["namespace"]}
    policies = [p for ns in sorted(namespaces) for p in c.api.list(nk, ns)] if nk is not None else []
    ns_labels = {n["metadata"]["name"]: n["metadata"].get("labels") or {} for n in c.api.list(kinds.by_kind("Namespace"))}
    v = np.check(src, dst, policies, ns_labels, port, protocol)
    what = f"{protocol}/{port}" if port else f"{protocol}, any port"
    if output == "json":
        click.echo(json.dumps({"from": _ref(src), "to": _ref(dst), "protocol": protocol, "port": port,
                               "allowed": v.allowed, "egress": v.egress.to_json(), "ingress": v.ingress.to_json()},
                              indent=2, sort_keys=True))
    else:
        click.echo(f"{'allowed' if v.allowed else 'denied'}: {_ref(src)} -> {_ref(dst)} ({what})")
        for label, side, d in (("egress from", _ref(src), v.egress), ("ingress to", _ref(dst), v.ingress)):
            if not d.isolated_by:
                click.echo(f"  {label} {side}: allowed (no policy selects it for {'Egress' if label.startswith('egress') else 'Ingress'})")
            elif d.allowed:
                click.echo(f"  {label} {side}: allowed by {', '.join(d.allowed_by)}")
            else:
                click.echo(f"  {label} {side}: denied: selected by {', '.join(d.isolated_by)}, no rule allows it")
    raise click.exceptions.Exit(0 if v.allowed else 1)
