"""`kubelite auth can-i`, `kubelite auth whoami`, `kubelite create token` and `kubelite audit`."""
from __future__ import annotations

import json

import click

from kubelite.api import kinds
from kubelite.cli.context import global_options, obj
from kubelite.errors import UsageError

_VERBS = ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "impersonate", "bind", "escalate", "use", "*")


@click.group()
def auth():
    """Inspect authorization: can-i and whoami.

    \b
    Examples:
      kubelite auth can-i create deployments -n dev --as=alice
      kubelite auth whoami
    """


def _resource(word: str, subresource: str | None) -> tuple[str, str, str]:
    """(group, plural, subresource) for `pods`, `deployments.apps`, `deployments/scale`, `*`."""
    base, _, sub = word.partition("/")
    sub = subresource or sub
    if base == "*":
        return "*", "*", sub
    try:
        k = kinds.resolve(base)
        return k.group, k.plural, sub
    except Exception:
        plural, _, group = base.partition(".")
        return group, plural, sub


@auth.command("can-i")
@click.argument("verb")
@click.argument("resource", required=False)
@click.argument("name", required=False)
@click.option("--subresource", default=None, help="SubResource such as pod/log or deployment/scale.")
@click.option("-A", "--all-namespaces", is_flag=True, help="Check in all namespaces (cluster-wide bindings only).")
@click.option("--list", "list_", is_flag=True, help="List all allowed actions.")
@click.option("-q", "--quiet", is_flag=True, help="Only the exit code: 0 yes, 1 no.")
@click.option("--no-headers", is_flag=True)
@global_options
def can_i(verb, resource, name, subresource, all_namespaces, list_, quiet, no_headers):
    """Check whether an action is allowed: prints yes or no, exit 0 or 1.

    \b
    Examples:
      kubelite auth can-i list pods -n dev --as alice
      kubelite auth can-i update deployments/scale
      kubelite auth can-i get secret db --as system:serviceaccount:dev:builder
      kubelite auth can-i --list -n dev --as alice
    """
    from kubelite.auth import rbac

    c = obj()
    api = c.api
    who = api.identity
    ns = "" if all_namespaces else c.namespace
    if list_:
        # --list takes its verb position as nothing; everything is listed
        rules = [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}] if who.is_master else api.authorizer.rules(who, ns)
        rows = [] if no_headers else [["Resources", "Non-Resource URLs", "Resource Names", "Verbs"]]
        for r in rules:
            for g in r.get("apiGroups") or [""]:
                for res in r.get("resources") or []:
                    full = res if not g else f"{res}.{g}"
                    rows.append([full, "[]", "[" + " ".join(r.get("resourceNames") or []) + "]", "[" + " ".join(r.get("verbs") or []) + "]"])
            if r.get("nonResourceURLs"):
                rows.append(["", "[" + " ".join(r["nonResourceURLs"]) + "]", "[]", "[" + " ".join(r.get("verbs") or []) + "]"])
        import sys

        from kubelite.cli.output import render_plain

        render_plain(rows, sys.stdout)
        return
    if not resource:
        raise UsageError("you must specify two arguments: verb resource or verb resource/resourceName.")
    if verb not in _VERBS:
        click.echo(f"Warning: verb '{verb}' is not a known verb", err=True)
    if "/" in resource and name is None and not resource.split("/", 1)[0] in ("*",):
        base, _, rest = resource.partition("/")
        try:
            kinds.resolve(base)
            if rest and not subresource and rest not in ("log", "scale", "status", "eviction", "exec", "attach", "portforward", "proxy", "binding", "token", "rollback"):
                resource, name = base, rest
        except Exception:
            pass
    group, plural, sub = _resource(resource, subresource)
    cluster_scoped = False
    try:
        cluster_scoped = not kinds.resolve(resource.partition("/")[0]).namespaced
    except Exception:
        pass
    req = rbac.Request(verb, group, plural, sub, "" if cluster_scoped else ns, name or "")
    ok = api.authorizer.allows(who, req)
    if not quiet:
        click.echo("yes" if ok else "no")
    raise click.exceptions.Exit(0 if ok else 1)


@auth.command("whoami")
@click.option("-o", "--output", type=click.Choice(["json", "yaml"]), default=None)
@global_options
def whoami(output):
    """Print the user and groups kubelite acts as.

    \b
    Examples:
      kubelite auth whoami
      kubelite auth whoami --as alice --as-group devs
    """
    c = obj()
    who = c.api.identity
    if output:
        review = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview", "metadata": {"creationTimestamp": None},
                  "status": {"userInfo": {"username": who.user, "groups": list(who.groups)}}}
        from kubelite.cli.output import dump_json, dump_yaml

        click.echo(dump_json(review) if output == "json" else dump_yaml(review), nl=False)
        return
    click.echo(f"ATTRIBUTE   VALUE\nUsername    {who.user}\nGroups      [{' '.join(who.groups)}]")


@click.command("token")
@click.argument("serviceaccount")
@click.option("--duration", default=None, help="How long the token is valid, e.g. 1h; default: until the ServiceAccount is deleted.")
@global_options
def create_token(serviceaccount, duration):
    """Request a token for a ServiceAccount; use it with --token.

    \b
    Example:
      TOKEN=$(kubelite create token builder -n dev); kubelite get pods -n dev --token "$TOKEN"
    """
    from kubelite.auth import tokens
    from kubelite.cli.inputs import duration_flag

    c = obj()
    api = c.api
    sak = kinds.by_kind("ServiceAccount")
    api.authorize("create", sak, c.namespace, serviceaccount, "token")
    from kubelite.apiserver import _key_ok
    from kubelite.errors import NotFound

    if not _key_ok(sak, c.namespace, serviceaccount):
        raise NotFound(sak.resource, serviceaccount)  # never a path outside the ServiceAccount's own file
    api.store.get(sak, c.namespace, serviceaccount)
    seconds = int(duration_flag(duration, "--duration")) if duration else None
    click.echo(tokens.issue(api, c.namespace, serviceaccount, seconds))


@click.command("audit")
@click.option("-o", "--output", type=click.Choice(["json"]), default=None, help="json: the raw audit events, one per line.")
@click.option("--user", default=None, help="Only this user's requests.")
@click.option("--decision", type=click.Choice(["allow", "forbid"]), default=None)
@click.option("--tail", type=int, default=0, help="Only the last N events.")
@global_options
def audit(output, user, decision, tail):
    """Read back the audit log: every write and every denial, as audit.k8s.io events.

    \b
    Examples:
      kubelite audit --decision forbid
      kubelite audit --user alice -o json
    """
    c = obj()
    api = c.api
    if not api.identity.is_master:
        api.authorize("get", kinds.by_kind("Event"), "kube-system", "audit")
    path = api.store.root / "audit.log"
    try:
        lines = path.read_bytes().decode("utf-8", "replace").splitlines()
    except FileNotFoundError:
        lines = []
    events = []
    for ln in lines:
        try:
            e = json.loads(ln)
        except ValueError:
            continue  # a line torn by a killed writer
        if not isinstance(e, dict):
            continue
        if user and e.get("user", {}).get("username") != user:
            continue
        if decision and e.get("annotations", {}).get("authorization.k8s.io/decision") != decision:
            continue
        events.append(e)
    if tail:
        events = events[-tail:]
    if output == "json":
        for e in events:
            click.echo(json.dumps(e, sort_keys=True))
        return
    import sys

    from kubelite.cli.output import render_plain

    rows = [["TIME", "USER", "VERB", "RESOURCE", "NAMESPACE", "NAME", "DECISION"]]
    for e in events:
        ref = e.get("objectRef") or {}
        res = ref.get("resource", "") + (f"/{ref['subresource']}" if ref.get("subresource") else "")
        rows.append([e.get("requestReceivedTimestamp", ""), e.get("user", {}).get("username", ""), e.get("verb", ""), res,
                     ref.get("namespace", ""), ref.get("name", ""), e.get("annotations", {}).get("authorization.k8s.io/decision", "")])
    render_plain(rows, sys.stdout)
