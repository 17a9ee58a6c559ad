"""`kubelite create -f` and kubectl's generators (namespace, deployment, job, secret, ...)."""
from __future__ import annotations

import base64
import functools
from pathlib import Path

import click

from kubelite.apiserver import Result
from kubelite.cli.apply import _dry_run_mode, print_result, validate_all
from kubelite.cli.context import file_options, global_options, obj
from kubelite.cli.inputs import read_documents
from kubelite.cli.output import structured
from kubelite.errors import KubeliteError, UsageError


class CreateGroup(click.Group):
    """`create -f FILE` or `create <generator> NAME` (with kubectl's aliases: ns, deploy, cm, sa, cj, svc)."""

    ALIASES = {"ns": "namespace", "deploy": "deployment", "cm": "configmap", "sa": "serviceaccount",
               "cj": "cronjob", "svc": "service", "sec": "secret"}

    def get_command(self, ctx, name):
        return super().get_command(ctx, self.ALIASES.get(name, name))

    def resolve_command(self, ctx, args):
        if args and args[0] in self.ALIASES:
            args = [self.ALIASES[args[0]]] + list(args[1:])
        return super().resolve_command(ctx, args)

    def parse_args(self, ctx, args):
        # Without a generator word, everything is create -f's.
        if not args or args[0].startswith("-"):
            ctx.meta["create_from_file"] = True
        return super().parse_args(ctx, args)


def _generator_options(f):
    @click.option("--dry-run", "dry_run", default=None, flag_value="client", is_flag=False)
    @click.option("-o", "--output", default=None, help="Output format: json|yaml|name.")
    @global_options
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        return f(*args, **kwargs)

    return wrapper


def _emit(manifest: dict, dry_run: str | None, output: str | None) -> None:
    """Create the generated object, or print it for --dry-run=client as kubectl does."""
    c = obj()
    dry = _dry_run_mode(dry_run)
    if dry == "client":
        from kubelite.api import kinds

        kind = kinds.for_object(manifest["apiVersion"], manifest["kind"])
        meta = manifest["metadata"]
        if kind.namespaced and "namespace" not in meta and c.explicit_namespace:
            meta["namespace"] = c.namespace
        if output in ("json", "yaml"):
            click.echo(structured(output, [manifest], True), nl=False)
        else:
            print_result(Result("created", kind, manifest), output, "client")
        return
    res = c.api.create(manifest, c.namespace, dry_run=dry == "server")
    print_result(res, output, dry)


@click.group(cls=CreateGroup, invoke_without_command=True)
@file_options
@click.option("--dry-run", "dry_run", default=None, flag_value="client", is_flag=False)
@click.option("-o", "--output", default=None)
@global_options
@click.pass_context
def create(ctx, filenames, recursive, dry_run, output):
    """Create a resource from a file or from stdin, or with a generator.

    \b
    Examples:
      kubelite create -f web.yaml
      kubelite create deployment web --image=nginx --replicas=3
      kubelite create configmap app --from-literal=mode=prod
    """
    if ctx.invoked_subcommand is not None:
        return
    if not filenames:
        click.echo(ctx.get_help())
        raise click.exceptions.Exit(1)
    c = obj()
    dry = _dry_run_mode(dry_run)
    api = c.api
    docs = read_documents(filenames, recursive)
    checked = validate_all(api, docs, c.namespace, c.explicit_namespace, verb="create")
    failed = None
    with api.store.locked():
        for d, src, kind, manifest in checked:
            try:
                res = api.create(manifest, manifest["metadata"].get("namespace"), src, dry_run=bool(dry))
            except KubeliteError as e:
                from kubelite.cli.main import report

                if e.reason == "AlreadyExists":
                    e.message = f'error when creating "{d.source}": {e.message}'
                report(e)
                failed = e
                continue
            print_result(res, output, dry)
    if failed is not None:
        raise click.exceptions.Exit(1)


def _meta(name: str) -> dict:
    return {"name": name, "creationTimestamp": None}


@create.command("namespace")
@click.argument("name")
@_generator_options
def create_namespace(name, dry_run, output):
    """Create a namespace with the specified name.

    \b
    Example:
      kubelite create namespace dev
    """
    _emit({"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(name), "spec": {}, "status": {}}, dry_run, output)


def _container_name(image: str) -> str:
    base = image.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0]
    return base or "container"


@create.command("deployment")
@click.argument("name")
@click.option("--image", multiple=True, required=True, help="Image names to run; repeatable.")
@click.option("-r", "--replicas", type=int, default=1, help="Number of replicas to create.")
@click.option("--port", type=int, default=None, help="The containerPort this deployment exposes.")
@click.argument("command", nargs=-1)
@_generator_options
def create_deployment(name, image, replicas, port, command, dry_run, output):
    """Create a deployment with the specified name.

    \b
    Example:
      kubelite create deployment web --image=nginx --replicas=3 --port=80
    """
    containers = []
    for img in image:
        c: dict = {"name": _container_name(img), "image": img, "resources": {}}
        if command:
            c["command"] = list(command)
        if port is not None:
            c["ports"] = [{"containerPort": port}]
        containers.append(c)
    labels = {"app": name}
    _emit({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {**_meta(name), "labels": dict(labels)},
        "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)}, "strategy": {},
                 "template": {"metadata": {"creationTimestamp": None, "labels": dict(labels)}, "spec": {"containers": containers}}},
        "status": {},
    }, dry_run, output)


@create.command("job")
@click.argument("name")
@click.option("--image", default=None, help="Image name to run.")
@click.option("--from", "from_", default=None, help="cronjob/NAME to create the job from.")
@click.argument("command", nargs=-1)
@_generator_options
def create_job(name, image, from_, command, dry_run, output):
    """Create a job with the specified name.

    \b
    Examples:
      kubelite create job pi --image=perl -- perl -e 'print 1'
      kubelite create job manual-run --from=cronjob/backup
    """
    if from_:
        from kubelite.api import kinds

        kind_word, _, cj_name = from_.partition("/")
        if kinds.resolve(kind_word).kind != "CronJob":
            raise UsageError("from must be an existing cronjob")
        c = obj()
        cj = c.api.get(kinds.by_kind("CronJob"), c.namespace, cj_name)
        jt = cj["spec"]["jobTemplate"]
        manifest = {
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": {**_meta(name), "annotations": {"cronjob.kubernetes.io/instantiate": "manual"},
                         "labels": dict((jt.get("metadata") or {}).get("labels") or {}),
                         "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": cj_name,
                                              "uid": cj["metadata"]["uid"], "controller": True}]},
            "spec": jt["spec"],
        }
        if not manifest["metadata"]["labels"]:
            del manifest["metadata"]["labels"]
        _emit(manifest, dry_run, output)
        return
    if not image:
        raise UsageError("--image must be specified")
    container = {"name": name, "image": image, "resources": {}}
    if command:
        container["command"] = list(command)
    _emit({
        "apiVersion": "batch/v1", "kind": "Job", "metadata": _meta(name),
        "spec": {"template": {"metadata": {"creationTimestamp": None},
                              "spec": {"containers": [container], "restartPolicy": "Never"}}},
        "status": {},
    }, dry_run, output)


@create.command("cronjob")
@click.argument("name")
@click.option("--image", required=True)
@click.option("--schedule", required=True, help="A schedule in the Cron format the job should be run with.")
@click.option("--restart", default="OnFailure", type=click.Choice(["OnFailure", "Never"]))
@click.argument("command", nargs=-1)
@_generator_options
def create_cronjob(name, image, schedule, restart, command, dry_run, output):
    """Create a cron job with the specified name.

    \b
    Example:
      kubelite create cronjob backup --image=busybox --schedule="*/5 * * * *" -- date
    """
    container = {"name": name, "image": image, "resources": {}}
    if command:
        container["command"] = list(command)
    _emit({
        "apiVersion": "batch/v1", "kind": "CronJob", "metadata": _meta(name),
        "spec": {"schedule": schedule, "jobTemplate": {"metadata": {"creationTimestamp": None, "name": name}, "spec": {
            "template": {"metadata": {"creationTimestamp": None}, "spec": {"containers": [container], "restartPolicy": restart}}}}},
        "status": {},
    }, dry_run, output)


def _read_sources(from_literal, from_file, from_env_file) -> dict[str, bytes]:
    """kubectl's --from-literal, --from-file ([key=]path, or a directory) and --from-env-file."""
    data: dict[str, bytes] = {}

    def put(key: str, value: bytes, what: str) -> None:
        if key in data:
            raise UsageError(f'cannot add key "{key}", another key by that name already exists in {what}')
        data[key] = value

    for lit in from_literal:
        if "=" not in lit:
            raise UsageError(f'invalid literal source {lit}, expected key=value')
        k, v = lit.split("=", 1)
        put(k, v.encode(), "data")
    for spec in from_file:
        key, _, path = spec.partition("=") if "=" in spec else ("", "", spec)
        p = Path(path)
        if p.is_dir():
            for f in sorted(p.iterdir()):
                if f.is_file():
                    put(f.name, f.read_bytes(), "data")
            continue
        try:
            put(key or p.name, p.read_bytes(), "data")
        except FileNotFoundError:
            raise UsageError(f"error reading {path}: no such file or directory") from None
    for env_file in from_env_file:
        try:
            lines = Path(env_file).read_text().splitlines()
        except FileNotFoundError:
            raise UsageError(f"error reading {env_file}: no such file or directory") from None
        for n, line in enumerate(lines, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if "=" not in line:
                raise UsageError(f'{env_file}: line {n}: invalid env line, expected KEY=VALUE')
            k, v = line.split("=", 1)
            put(k.strip(), v.encode(), "data")
    return data


_FROM_OPTIONS = [
    click.option("--from-literal", multiple=True, help="key=value; repeatable."),
    click.option("--from-file", multiple=True, help="[key=]path to a file or directory; repeatable."),
    click.option("--from-env-file", multiple=True, help="A file of KEY=VALUE lines; repeatable."),
]


def _from_options(f):
    for opt in reversed(_FROM_OPTIONS):
        f = opt(f)
    return f


@create.command("configmap")
@click.argument("name")
@_from_options
@_generator_options
def create_configmap(name, from_literal, from_file, from_env_file, dry_run, output):
    """Create a config map from a local file, directory or literal value.

    \b
    Example:
      kubelite create configmap app --from-literal=mode=prod --from-file=app.conf
    """
    raw = _read_sources(from_literal, from_file, from_env_file)
    data, binary = {}, {}
    for k, v in raw.items():
        try:
            data[k] = v.decode("utf-8")
        except UnicodeDecodeError:
            binary[k] = base64.b64encode(v).decode()
    m: dict = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(name)}
    if data:
        m["data"] = data
    if binary:
        m["binaryData"] = binary
    _emit(m, dry_run, output)


@create.group("secret")
def create_secret():
    """Create a secret: generic, tls or docker-registry.

    \b
    Examples:
      kubelite create secret generic db --from-literal=password=s3cret
      kubelite create secret tls web-tls --cert=tls.crt --key=tls.key
    """


@create_secret.command("generic")
@click.argument("name")
@_from_options
@click.option("--type", "type_", default=None, help="The type of secret to create.")
@_generator_options
def create_secret_generic(name, from_literal, from_file, from_env_file, type_, dry_run, output):
    """Create a secret from a local file, directory or literal value.

    \b
    Example:
      kubelite create secret generic db --from-literal=password=s3cret
    """
    raw = _read_sources(from_literal, from_file, from_env_file)
    m: dict = {"apiVersion": "v1", "kind": "Secret", "metadata": _meta(name)}
    if raw:
        m["data"] = {k: base64.b64encode(v).decode() for k, v in raw.items()}
    if type_:
        m["type"] = type_
    _emit(m, dry_run, output)


@create_secret.command("tls")
@click.argument("name")
@click.option("--cert", required=True, help="Path to PEM encoded public key certificate.")
@click.option("--key", required=True, help="Path to private key associated with given certificate.")
@_generator_options
def create_secret_tls(name, cert, key, dry_run, output):
    """Create a TLS secret from the given public/private key pair.

    \b
    Example:
      kubelite create secret tls web-tls --cert=tls.crt --key=tls.key
    """
    try:
        crt, k = Path(cert).read_bytes(), Path(key).read_bytes()
    except FileNotFoundError as e:
        raise UsageError(f"open {e.filename}: no such file or directory") from None
    _emit({"apiVersion": "v1", "kind": "Secret", "metadata": _meta(name), "type": "kubernetes.io/tls",
           "data": {"tls.crt": base64.b64encode(crt).decode(), "tls.key": base64.b64encode(k).decode()}}, dry_run, output)


@create_secret.command("docker-registry")
@click.argument("name")
@click.option("--docker-server", default="https://index.docker.io/v1/")
@click.option("--docker-username", required=True)
@click.option("--docker-password", required=True)
@click.option("--docker-email", default="")
@_generator_options
def create_secret_docker(name, docker_server, docker_username, docker_password, docker_email, dry_run, output):
    """Create a secret for use with a Docker registry.

    \b
    Example:
      kubelite create secret docker-registry regcred --docker-username=u --docker-password=p
    """
    import json

    auth = base64.b64encode(f"{docker_username}:{docker_password}".encode()).decode()
    entry = {"username": docker_username, "password": docker_password, "auth": auth}
    if docker_email:
        entry["email"] = docker_email
    cfg = json.dumps({"auths": {docker_server: entry}}, separators=(",", ":"))
    _emit({"apiVersion": "v1", "kind": "Secret", "metadata": _meta(name), "type": "kubernetes.io/dockerconfigjson",
           "data": {".dockerconfigjson": base64.b64encode(cfg.encode()).decode()}}, dry_run, output)


@create.command("serviceaccount")
@click.argument("name")
@_generator_options
def create_serviceaccount(name, dry_run, output):
    """Create a service account with the specified name.

    \b
    Example:
      kubelite create serviceaccount builder -n dev
    """
    _emit({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(name)}, dry_run, output)


def _service(name: str, type_: str, tcp: tuple[str, ...], cluster_ip: str | None, node_port: int | None, dry_run, output, external_name: str | None = None) -> None:
    spec: dict = {"type": type_}
    if type_ != "ExternalName":
        ports = []
        for t in tcp:
            port, _, target = t.partition(":")
            try:
                p: dict = {"name": f"{port}-{target or port}", "port": int(port), "protocol": "TCP", "targetPort": int(target or port)}
            except ValueError:
                raise UsageError(f"invalid --tcp {t!r}: expected port[:targetPort]") from None
            if node_port is not None:
                p["nodePort"] = node_port
            ports.append(p)
        if ports:
            spec["ports"] = ports
        spec["selector"] = {"app": name}
        if cluster_ip:
            spec["clusterIP"] = cluster_ip
    else:
        spec["externalName"] = external_name
    _emit({"apiVersion": "v1", "kind": "Service", "metadata": {**_meta(name), "labels": {"app": name}},
           "spec": spec, "status": {"loadBalancer": {}}}, dry_run, output)


@create.group("service")
def create_service():
    """Create a service: clusterip, nodeport, loadbalancer or externalname.

    \b
    Examples:
      kubelite create service clusterip web --tcp=80:8080
      kubelite create service nodeport web --tcp=80:8080 --node-port=30080
    """


@create_service.command("clusterip")
@click.argument("name")
@click.option("--tcp", multiple=True, help="Port pairs port:targetPort; repeatable.")
@click.option("--clusterip", default=None, help="Assign your own ClusterIP or 'None' for a headless service.")
@_generator_options
def create_service_clusterip(name, tcp, clusterip, dry_run, output):
    """Create a ClusterIP service.

    \b
    Example:
      kubelite create service clusterip web --tcp=80:8080
    """
    _service(name, "ClusterIP", tcp, clusterip, None, dry_run, output)


@create_service.command("nodeport")
@click.argument("name")
@click.option("--tcp", multiple=True)
@click.option("--node-port", type=int, default=None)
@_generator_options
def create_service_nodeport(name, tcp, node_port, dry_run, output):
    """Create a NodePort service.

    \b
    Example:
      kubelite create service nodeport web --tcp=80:8080 --node-port=30080
    """
    _service(name, "NodePort", tcp, None, node_port, dry_run, output)


@create_service.command("loadbalancer")
@click.argument("name")
@click.option("--tcp", multiple=True)
@_generator_options
def create_service_loadbalancer(name, tcp, dry_run, output):
    """Create a LoadBalancer service (its external IP stays <pending>).

    \b
    Example:
      kubelite create service loadbalancer web --tcp=80:8080
    """
    _service(name, "LoadBalancer", tcp, None, None, dry_run, output)


@create_service.command("externalname")
@click.argument("name")
@click.option("--external-name", required=True)
@_generator_options
def create_service_externalname(name, external_name, dry_run, output):
    """Create an ExternalName service.

    \b
    Example:
      kubelite create service externalname db --external-name=db.example.com
    """
    _service(name, "ExternalName", (), None, None, dry_run, output, external_name)


def _rules(verbs, resources, resource_names) -> list[dict]:
    from kubelite.api import kinds

    verbs_l = [v for vs in verbs for v in vs.split(",") if v]
    if not verbs_l:
        raise UsageError("at least one verb must be specified")
    rules: dict[str, dict] = {}
    for rs in resources:
        for r in rs.split(","):
            if not r:
                continue
            base, _, sub = r.partition("/")
            group = ""
            if base != "*":
                if "." in base:
                    base, group = base.split(".", 1)
                else:
                    group = kinds.resolve(base).group
                    base = kinds.resolve(base).plural
            rule = rules.setdefault(group, {"apiGroups": [group], "resources": [], "verbs": verbs_l})
            rule["resources"].append(base + (f"/{sub}" if sub else ""))
    out = list(rules.values())
    names = [n for ns in resource_names for n in ns.split(",") if n]
    for r in out:
        if names:
            r["resourceNames"] = names
    if not out:
        raise UsageError("at least one resource must be specified")
    return out


@create.command("role")
@click.argument("name")
@click.option("--verb", multiple=True, required=True)
@click.option("--resource", multiple=True, required=True)
@click.option("--resource-name", multiple=True)
@_generator_options
def create_role(name, verb, resource, resource_name, dry_run, output):
    """Create a role with single rule.

    \b
    Example:
      kubelite create role pod-reader --verb=get,list --resource=pods -n dev
    """
    _emit({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": _meta(name),
           "rules": _rules(verb, resource, resource_name)}, dry_run, output)


@create.command("clusterrole")
@click.argument("name")
@click.option("--verb", multiple=True, required=True)
@click.option("--resource", multiple=True, required=True)
@click.option("--resource-name", multiple=True)
@_generator_options
def create_clusterrole(name, verb, resource, resource_name, dry_run, output):
    """Create a cluster role.

    \b
    Example:
      kubelite create clusterrole pod-reader --verb=get,list --resource=pods
    """
    _emit({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": _meta(name),
           "rules": _rules(verb, resource, resource_name)}, dry_run, output)


def _subjects(users, groups, serviceaccounts) -> list[dict]:
    subs = [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": u} for u in users]
    subs += [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": g} for g in groups]
    for sa in serviceaccounts:
        if ":" not in sa:
            raise UsageError(f"serviceaccount must be <namespace>:<name>, got {sa!r}")
        ns, n = sa.split(":", 1)
        subs.append({"kind": "ServiceAccount", "name": n, "namespace": ns})
    return subs


@create.command("rolebinding")
@click.argument("name")
@click.option("--role", default=None)
@click.option("--clusterrole", default=None)
@click.option("--user", multiple=True)
@click.option("--group", multiple=True)
@click.option("--serviceaccount", multiple=True, help="namespace:name; repeatable.")
@_generator_options
def create_rolebinding(name, role, clusterrole, user, group, serviceaccount, dry_run, output):
    """Create a role binding for a particular role or cluster role.

    \b
    Example:
      kubelite create rolebinding alice-reads --role=pod-reader --user=alice -n dev
    """
    if bool(role) == bool(clusterrole):
        raise UsageError("exactly one of clusterrole or role must be specified")
    ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role" if role else "ClusterRole", "name": role or clusterrole}
    m = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": _meta(name), "roleRef": ref}
    subs = _subjects(user, group, serviceaccount)
    if subs:
        m["subjects"] = subs
    _emit(m, dry_run, output)


@create.command("clusterrolebinding")
@click.argument("name")
@click.option("--clusterrole", required=True)
@click.option("--user", multiple=True)
@click.option("--group", multiple=True)
@click.option("--serviceaccount", multiple=True)
@_generator_options
def create_clusterrolebinding(name, clusterrole, user, group, serviceaccount, dry_run, output):
    """Create a cluster role binding for a particular cluster role.

    \b
    Example:
      kubelite create clusterrolebinding ops-admin --clusterrole=cluster-admin --group=ops
    """
    m = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": _meta(name),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": clusterrole}}
    subs = _subjects(user, group, serviceaccount)
    if subs:
        m["subjects"] = subs
    _emit(m, dry_run, output)


def _register_token() -> None:
    from kubelite.cli.auth import create_token

    create.add_command(create_token, "token")


_register_token()
