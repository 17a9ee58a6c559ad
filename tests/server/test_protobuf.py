"""Protobuf request bodies: real kubectl (client-go's typed clients) against a real `kubelite serve`,
and the decoder alone with hand-made and hostile bytes."""
from __future__ import annotations

import json

import pytest

from tests.conftest import run_kubelite
from tests.server.conftest import Run, kubectl, needs_kubectl, start_server, stop_server

from kubelite.errors import BadRequest
from kubelite.server import protobuf
from kubelite.server.pbtables import MESSAGES
from kubelite.server.status import HTTPError


# -- a srv state directory -----------------------------------------------------------------
@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    """`kubelite serve --no-reconcile` over a fresh state dir, for this module; stopped even on failure.

    No controllers run, so what a test reads back is exactly what the create stored."""
    s = start_server(tmp_path_factory.mktemp("proto") / "state", "--no-reconcile")
    try:
        yield s
    finally:
        stop_server(s.proc)


def kc(s, *args: str, stdin: str | None = None) -> Run:
    return kubectl(s, list(args), stdin=stdin)


def ok(srv, *args: str, stdin: str | None = None) -> str:
    p = kc(srv, *args, stdin=stdin)
    assert p.rc == 0, f"kubectl {' '.join(args)}: {p.err}"
    return p.out


def stored(srv, *args: str) -> dict:
    r = run_kubelite(["get", *args, "-o", "json"], state=srv.state)
    assert r.rc == 0, r.err
    return json.loads(r.out)


def _comparable(obj: dict) -> dict:
    """The object without what differs between two creates of the same thing: identity, time, place."""
    meta = obj["metadata"]
    text = json.dumps({k: v for k, v in obj.items() if k != "status"}).replace(meta["uid"], "UID")
    out = json.loads(text)
    for k in ("uid", "resourceVersion", "creationTimestamp", "namespace", "managedFields"):
        out["metadata"].pop(k, None)
    return out


def with_flags(args, *flags: str) -> list[str]:
    """args with flags added before `--` (what follows it is a container's command)."""
    at = args.index("--") if "--" in args else len(args)
    return [*args[:at], *flags, *args[at:]]


def sent_as_protobuf(srv, *args: str) -> bool:
    """Whether kubectl sends this command's body as protobuf (checked, so the tests below mean something)."""
    p = kc(srv, *with_flags(args, "--dry-run=server", "-v=8"))
    return "Content-Type: application/vnd.kubernetes.protobuf" in p.err


# -- kubectl end to end ---------------------------------------------------------------------

@needs_kubectl
def test_create_serviceaccount_is_sent_as_protobuf_and_stored(srv):
    assert sent_as_protobuf(srv, "create", "serviceaccount", "probe")
    assert ok(srv, "create", "serviceaccount", "bot").strip() == "serviceaccount/bot created"
    sa = stored(srv, "serviceaccount", "bot")
    assert (sa["kind"], sa["metadata"]["name"], sa["metadata"]["namespace"]) == ("ServiceAccount", "bot", "default")


@needs_kubectl
def test_created_token_authenticates_as_the_service_account(srv):
    kc(srv, "create", "serviceaccount", "tokenbot")
    token = ok(srv, "create", "token", "tokenbot").strip()
    assert token
    who = json.loads(ok(srv, "--token", token, "auth", "whoami", "-o", "json"))
    assert who["kind"] == "SelfSubjectReview"
    assert who["status"]["userInfo"]["username"] == "system:serviceaccount:default:tokenbot"


@needs_kubectl
def test_token_duration_reaches_the_server(srv):
    kc(srv, "create", "serviceaccount", "shortbot")
    # spec.expirationSeconds travels as an int64 field; a too-short one is refused, not defaulted
    p = kc(srv, "create", "token", "shortbot", "--duration=5m")
    assert p.rc == 1
    assert "spec.expirationSeconds: Invalid value: 300" in p.err
    assert ok(srv, "create", "token", "shortbot", "--duration=20m", "--audience=https://example.com").strip()


@needs_kubectl
def test_auth_whoami_reports_the_admin(srv):
    who = json.loads(ok(srv, "auth", "whoami", "-o", "json"))
    assert who["status"]["userInfo"]["username"] == "kubernetes-admin"


@needs_kubectl
def test_auth_can_i_answers_yes_for_the_admin_and_no_for_a_user_without_rights(srv):
    assert ok(srv, "auth", "can-i", "list", "pods").strip() == "yes"
    p = kc(srv, "auth", "can-i", "list", "pods", "--as", "nobody")
    assert (p.rc, p.out.strip()) == (1, "no")


@needs_kubectl
def test_auth_can_i_sees_the_namespace_and_verb_of_a_role_binding(srv):
    kc(srv, "create", "serviceaccount", "reader")
    ok(srv, "create", "role", "pod-reader", "--verb=get,list", "--resource=pods")
    ok(srv, "create", "rolebinding", "reader", "--role=pod-reader", "--serviceaccount=default:reader")
    sa = "system:serviceaccount:default:reader"
    assert ok(srv, "auth", "can-i", "get", "pods", "--as", sa).strip() == "yes"
    for args in (["delete", "pods"], ["get", "pods", "-n", "kube-system"], ["get", "secrets"]):
        p = kc(srv, "auth", "can-i", *args, "--as", sa)
        assert (p.rc, p.out.strip()) == (1, "no"), args
    rules = ok(srv, "auth", "can-i", "--list", "--as", sa)
    assert any(line.split()[:1] == ["pods"] and "[get list]" in line for line in rules.splitlines()), rules


@needs_kubectl
def test_auth_can_i_sees_the_path_of_a_non_resource_url(srv):
    kc(srv, "create", "serviceaccount", "logreader")
    ok(srv, "create", "clusterrole", "log-reader", "--verb=get", "--non-resource-url=/logs/*")
    ok(srv, "create", "clusterrolebinding", "log-reader", "--clusterrole=log-reader", "--serviceaccount=default:logreader")
    sa = "system:serviceaccount:default:logreader"
    assert ok(srv, "auth", "can-i", "get", "/logs/app", "--as", sa).strip() == "yes"
    for verb, path in (("get", "/metrics"), ("post", "/logs/app")):
        p = kc(srv, "auth", "can-i", verb, path, "--as", sa)
        assert (p.rc, p.out.strip()) == (1, "no"), (verb, path)


CREATES = [  # (resource, kubectl create arguments after the name; {blob} is a binary file)
    ("configmap", ["configmap", "NAME", "--from-literal=a=1", "--from-literal=b=two", "--from-file=bin={blob}"]),
    ("secret", ["secret", "generic", "NAME", "--from-literal=user=admin", "--from-file=key={blob}"]),
    ("secret", ["secret", "docker-registry", "NAME", "--docker-server=r.example", "--docker-username=u", "--docker-password=p"]),
    ("deployment", ["deployment", "NAME", "--image=nginx:1.27", "--image=busybox", "--replicas=0", "--port=80"]),
    ("deployment", ["deployment", "NAME", "--image=nginx", "--", "nginx", "-g", "daemon off;"]),
    ("job", ["job", "NAME", "--image=busybox", "--", "echo", "hi"]),
    ("cronjob", ["cronjob", "NAME", "--image=busybox", "--schedule=*/5 * * * *", "--restart=Never", "--", "date"]),
    ("service", ["service", "clusterip", "NAME", "--tcp=80:8080", "--tcp=443:https"]),
    ("service", ["service", "nodeport", "NAME", "--tcp=80:8080"]),
    ("service", ["service", "externalname", "NAME", "--external-name=db.example.com"]),
    ("serviceaccount", ["serviceaccount", "NAME"]),
    ("role", ["role", "NAME", "--verb=get", "--verb=watch", "--resource=pods,services", "--resource-name=a"]),
    ("rolebinding", ["rolebinding", "NAME", "--clusterrole=view", "--user=alice", "--group=devs", "--serviceaccount=default:bot"]),
    ("clusterrole", ["clusterrole", "NAME", "--verb=get", "--non-resource-url=/logs/*", "--resource=nodes"]),
    ("clusterrole", ["clusterrole", "NAME", "--aggregation-rule=team=a"]),
    ("clusterrolebinding", ["clusterrolebinding", "NAME", "--clusterrole=view", "--group=devs"]),
    ("namespace", ["namespace", "NAME"]),
]
CLUSTER_SCOPED = {"clusterrole", "clusterrolebinding", "namespace"}


@needs_kubectl
@pytest.mark.parametrize("resource,args", CREATES, ids=[f"{i}-{a[0]}" for i, (_, a) in enumerate(CREATES)])
def test_a_protobuf_create_stores_what_the_same_json_create_stores(srv, resource, args):
    """The same `kubectl create`, once as protobuf (its typed client) and once as JSON (`create -f`)."""
    blob = srv.state.parent / "blob.bin"
    blob.write_bytes(bytes(range(256)))
    name = f"x{CREATES.index((resource, args))}"
    objs = []
    for via in ("pb", "js"):
        # namespaced objects keep one name in two namespaces; cluster-scoped ones get two names
        where = ["-n", via] if resource not in CLUSTER_SCOPED else []
        kc(srv, "create", "namespace", via)
        argv = with_flags(["create"] + [a.replace("NAME", name if where else f"{name}-{via}").replace("{blob}", str(blob))
                                        for a in args], *where)
        if via == "pb":
            assert sent_as_protobuf(srv, *argv)
            ok(srv, *argv)
        else:
            ok(srv, "create", "-f", "-", stdin=ok(srv, *with_flags(argv, "--dry-run=client", "-o", "json")))
        obj = stored(srv, resource, name if where else f"{name}-{via}", *where)
        if resource == "service":  # the allocators hand each service its own address and node port
            for field in ("clusterIP", "clusterIPs"):
                obj["spec"].pop(field, None)
            for port in obj["spec"].get("ports", []):
                port.pop("nodePort", None)
        if not where:
            obj["metadata"].pop("name")
            obj["metadata"].get("labels", {}).pop("kubernetes.io/metadata.name", None)
        objs.append(_comparable(obj))
    assert objs[0] == objs[1]


@needs_kubectl
def test_a_job_from_a_cronjob_keeps_its_owner_reference(srv):
    ok(srv, "create", "cronjob", "nightly", "--image=busybox", "--schedule=0 0 * * *")
    ok(srv, "create", "job", "manual", "--from=cronjob/nightly")
    expected = json.loads(ok(srv, "create", "job", "manual", "--from=cronjob/nightly", "--dry-run=client", "-o", "json"))
    owners = stored(srv, "job", "manual")["metadata"]["ownerReferences"]
    assert owners == expected["metadata"]["ownerReferences"]
    assert owners[0]["uid"] == stored(srv, "cronjob", "nightly")["metadata"]["uid"]


@needs_kubectl
def test_a_deployment_with_zero_replicas_keeps_them(srv):
    ok(srv, "create", "deployment", "idle", "--image=nginx", "--replicas=0")
    assert stored(srv, "deployment", "idle")["spec"]["replicas"] == 0


# -- the HTTP face of bad bodies ---------------------------------------------------------------
def _post(srv, path: str, body: bytes) -> tuple[int, dict]:
    return srv.request("POST", path, body, ctype=protobuf.MEDIA_TYPE)


def test_a_truncated_body_is_a_bad_request_status(srv):
    body = envelope("v1", "ConfigMap", msg(ld(1, msg(ld(1, b"cfg")))))
    code, status = _post(srv, "/api/v1/namespaces/default/configmaps", body[:-3])
    assert (code, status["kind"], status["reason"]) == (400, "Status", "BadRequest")
    assert "truncated" in status["message"]


def test_json_nested_deep_inside_a_raw_extension_is_a_bad_request(srv):
    deep = b'{"a":' * 500 + b"1" + b"}" * 500  # within json's recursion limit, beyond the server's
    body = envelope("apps/v1", "ControllerRevision", ld(n("apps.v1.ControllerRevision", "data"), ld(1, deep)))
    code, status = _post(srv, "/apis/apps/v1/namespaces/default/controllerrevisions", body)
    assert (code, status["reason"]) == (400, "BadRequest")
    assert "nested too deeply" in status["message"]


def test_a_kind_without_a_table_is_unsupported_and_the_message_says_what_to_do(srv):
    body = envelope("example.com/v1", "Widget", b"")
    code, status = _post(srv, "/api/v1/namespaces/default/configmaps", body)
    assert (code, status["reason"]) == (415, "UnsupportedMediaType")
    assert "Widget (example.com/v1)" in status["message"]
    assert "--dry-run=client -o yaml | kubectl apply -f -" in status["message"]


# -- the decoder alone: a tiny encoder, with field numbers read from the tables by JSON name ----
def varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def key(number: int, wire: int) -> bytes:
    return varint(number << 3 | wire)


def ld(number: int, payload: bytes | str) -> bytes:
    data = payload.encode() if isinstance(payload, str) else payload
    return key(number, 2) + varint(len(data)) + data


def vi(number: int, value: int) -> bytes:
    return key(number, 0) + varint(value)


def msg(*fields: bytes) -> bytes:
    return b"".join(fields)


def envelope(api_version: str, kind: str, raw: bytes, encoding: str = "") -> bytes:
    type_meta = msg(ld(1, api_version), ld(2, kind))
    return protobuf.MAGIC + msg(ld(1, type_meta), ld(2, raw), *([ld(3, encoding)] if encoding else []))


def n(message: str, json_name: str) -> int:
    """The field number of json_name in message (core.v1.Pod, meta.v1.ObjectMeta...)."""
    full = ("k8s.io.apimachinery.pkg.apis." if message.startswith("meta.") else "k8s.io.api.") + message
    (number,) = [f[0] for f in MESSAGES[full] if f[1] == json_name]
    return number


def meta(**fields: bytes) -> bytes:
    return ld(1, msg(*fields.values()))


def entry(k: str, v: bytes | str) -> bytes:
    return msg(ld(1, k), ld(2, v))


def test_a_configmap_decodes_to_its_json_shape():
    om = "meta.v1.ObjectMeta"
    raw = msg(
        ld(1, msg(ld(n(om, "name"), "cfg"), ld(n(om, "labels"), entry("app", "web")))),
        ld(n("core.v1.ConfigMap", "data"), entry("a", "1")),
        ld(n("core.v1.ConfigMap", "data"), entry("b", "")),
        ld(n("core.v1.ConfigMap", "binaryData"), entry("bin", b"\x00\xff")),
    )
    assert protobuf.decode(envelope("v1", "ConfigMap", raw)) == {
        "kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "cfg", "labels": {"app": "web"}},
        "data": {"a": "1", "b": ""}, "binaryData": {"bin": "AP8="}}


def test_zero_values_go_as_json_omitempty_would_but_a_set_pointer_stays():
    om, spec = "meta.v1.ObjectMeta", "apps.v1.DeploymentSpec"
    raw = msg(
        ld(1, msg(ld(n(om, "name"), "web"), ld(n(om, "generateName"), ""), vi(n(om, "generation"), 0))),
        ld(n("apps.v1.Deployment", "spec"), msg(vi(n(spec, "replicas"), 0), vi(n(spec, "paused"), 0),
                                                 ld(n(spec, "strategy"), b""))),
    )
    obj = protobuf.decode(envelope("apps/v1", "Deployment", raw))
    assert obj["metadata"] == {"name": "web"}
    assert obj["spec"] == {"replicas": 0, "strategy": {}, "selector": None}  # selector: no omitempty


def test_a_zero_field_without_omitempty_is_kept():
    container = msg(ld(n("core.v1.Container", "name"), ""), ld(n("core.v1.Container", "image"), "nginx"))
    raw = ld(n("core.v1.Pod", "spec"), ld(n("core.v1.PodSpec", "containers"), container))
    assert protobuf.decode(envelope("v1", "Pod", raw))["spec"] == {"containers": [{"name": "", "image": "nginx"}]}


def test_an_absent_list_or_pointer_without_omitempty_is_null_as_go_writes_it():
    raw = ld(n("rbac.v1.ClusterRole", "aggregationRule"), b"")
    assert protobuf.decode(envelope("rbac.authorization.k8s.io/v1", "ClusterRole", raw)) == {
        "kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1", "aggregationRule": {},
        "rules": None}


def test_an_inline_member_is_flattened_into_its_parent():
    source = ld(n("core.v1.VolumeSource", "hostPath"), ld(n("core.v1.HostPathVolumeSource", "path"), "/data"))
    volume = msg(ld(n("core.v1.Volume", "name"), "v"), ld(2, source))  # Volume.volumeSource is field 2, inline
    raw = ld(n("core.v1.Pod", "spec"), ld(n("core.v1.PodSpec", "volumes"), volume))
    assert protobuf.decode(envelope("v1", "Pod", raw))["spec"]["volumes"] == [{"name": "v", "hostPath": {"path": "/data"}}]


def test_times_are_rfc3339_and_micro_times_keep_microseconds():
    om = "meta.v1.ObjectMeta"
    stamp = msg(vi(1, 1767366245), vi(2, 123456789))  # 2026-01-02T15:04:05.123456789Z
    lease_spec = ld(n("coordination.v1.LeaseSpec", "renewTime"), stamp)
    raw = msg(ld(1, ld(n(om, "creationTimestamp"), stamp)), ld(n("coordination.v1.Lease", "spec"), lease_spec))
    obj = protobuf.decode(envelope("coordination.k8s.io/v1", "Lease", raw))
    assert obj["metadata"] == {"creationTimestamp": "2026-01-02T15:04:05Z"}
    assert obj["spec"] == {"renewTime": "2026-01-02T15:04:05.123456Z"}


def test_the_zero_time_is_null_as_in_the_json_kubectl_sends():
    raw = ld(1, ld(n("meta.v1.ObjectMeta", "creationTimestamp"), b""))
    assert protobuf.decode(envelope("v1", "Secret", raw))["metadata"] == {"creationTimestamp": None}


def test_int_or_string_becomes_an_int_or_a_string():
    sp = "core.v1.ServicePort"
    ports = [msg(vi(n(sp, "port"), 80), ld(n(sp, "targetPort"), msg(vi(1, 0), vi(2, 8080)))),
             msg(vi(n(sp, "port"), 443), ld(n(sp, "targetPort"), msg(vi(1, 1), ld(3, "https"))))]
    raw = ld(n("core.v1.Service", "spec"), msg(*(ld(n("core.v1.ServiceSpec", "ports"), p) for p in ports)))
    assert protobuf.decode(envelope("v1", "Service", raw))["spec"]["ports"] == [
        {"port": 80, "targetPort": 8080}, {"port": 443, "targetPort": "https"}]


def test_repeated_integers_decode_packed_or_not():
    psc = "core.v1.PodSecurityContext"
    groups = n(psc, "supplementalGroups")
    packed = ld(groups, varint(1000) + varint(2000))
    raw = ld(n("core.v1.Pod", "spec"), ld(n("core.v1.PodSpec", "securityContext"), msg(packed, vi(groups, 3000))))
    assert protobuf.decode(envelope("v1", "Pod", raw))["spec"]["securityContext"] == {"supplementalGroups": [1000, 2000, 3000]}


def test_negative_int32_is_sign_extended():
    raw = ld(n("core.v1.Pod", "spec"), vi(n("core.v1.PodSpec", "priority"), -5))
    assert protobuf.decode(envelope("v1", "Pod", raw))["spec"]["priority"] == -5


def test_extra_values_unwrap_to_lists():
    sar = "authorization.v1.SubjectAccessReviewSpec"
    spec = msg(ld(n(sar, "user"), "alice"), ld(n(sar, "extra"), entry("scopes", msg(ld(1, "a"), ld(1, "b")))))
    raw = ld(n("authorization.v1.SubjectAccessReview", "spec"), spec)
    obj = protobuf.decode(envelope("authorization.k8s.io/v1", "SubjectAccessReview", raw))
    assert obj["spec"] == {"user": "alice", "extra": {"scopes": ["a", "b"]}}


def test_raw_extensions_hold_json_or_another_protobuf_object():
    inner = envelope("v1", "ConfigMap", ld(1, ld(1, "inner")))
    for data, expected in ((b'{"spec": {"x": 1}}', {"spec": {"x": 1}}),
                           (inner, {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "inner"}})):
        raw = msg(ld(n("apps.v1.ControllerRevision", "data"), ld(1, data)), vi(n("apps.v1.ControllerRevision", "revision"), 2))
        obj = protobuf.decode(envelope("apps/v1", "ControllerRevision", raw))
        assert (obj["data"], obj["revision"]) == (expected, 2)


def test_unknown_fields_are_skipped():
    raw = msg(vi(900, 7), ld(901, b"\x01\x02"), key(902, 5) + b"abcd", key(903, 1) + b"abcdefgh",
              ld(n("core.v1.Secret", "type"), "Opaque"))
    assert protobuf.decode(envelope("v1", "Secret", raw)) == {"kind": "Secret", "apiVersion": "v1", "type": "Opaque"}


def test_delete_options_decode_under_any_group_version():
    do = "meta.v1.DeleteOptions"
    raw = msg(vi(n(do, "gracePeriodSeconds"), 0), ld(n(do, "propagationPolicy"), "Foreground"),
              ld(n(do, "preconditions"), ld(n("meta.v1.Preconditions", "uid"), "u-1")))
    for api_version in ("v1", "apps/v1", "meta.k8s.io/v1"):
        assert protobuf.decode(envelope(api_version, "DeleteOptions", raw)) == {
            "kind": "DeleteOptions", "apiVersion": api_version, "gracePeriodSeconds": 0,
            "propagationPolicy": "Foreground", "preconditions": {"uid": "u-1"}}


def test_an_eviction_carries_its_delete_options():
    do = "meta.v1.DeleteOptions"
    raw = msg(ld(1, ld(n("meta.v1.ObjectMeta", "name"), "web-0")),
              ld(n("policy.v1.Eviction", "deleteOptions"), vi(n(do, "gracePeriodSeconds"), 30)))
    assert protobuf.decode(envelope("policy/v1", "Eviction", raw)) == {
        "kind": "Eviction", "apiVersion": "policy/v1", "metadata": {"name": "web-0"},
        "deleteOptions": {"gracePeriodSeconds": 30}}


# -- hostile bytes: always BadRequest, never another exception or a hang --------------------------
GOOD = envelope("v1", "ConfigMap", msg(ld(1, ld(1, "cfg")), ld(2, entry("a", "b"))))


@pytest.mark.parametrize("body,words", [
    (b'{"kind": "ConfigMap"}', "prefix"),
    (protobuf.MAGIC + b"\x0a\x05ab", "truncated"),
    (protobuf.MAGIC + b"\x12" + varint(1 << 63) + b"x", "claims"),
    (protobuf.MAGIC + b"\x12" + b"\xff" * 11, "longer than"),
    (protobuf.MAGIC + b"\x12\xff\xff", "truncated"),
    (protobuf.MAGIC + key(5, 3), "start-group"),
    (protobuf.MAGIC + key(5, 7), "invalid"),
    (protobuf.MAGIC + vi(0, 1), "field number 0"),
    (protobuf.MAGIC + key(7, 1) + b"abc", "truncated"),
    (protobuf.MAGIC + ld(2, b""), "apiVersion and kind"),
    (envelope("v1", "ConfigMap", b"", encoding="gzip"), "content encoding"),
    (envelope("v1", "ConfigMap", vi(1, 5)), "wire type varint"),
    (envelope("v1", "ConfigMap", ld(1, ld(1, b"\xff\xfe"))), "UTF-8"),
    (envelope("v1", "Pod", ld(n("core.v1.Pod", "spec"), vi(n("core.v1.PodSpec", "priority"), 1 << 40))), "int32 out of range"),
    (envelope("v1", "Secret", ld(1, ld(n("meta.v1.ObjectMeta", "creationTimestamp"), vi(1, 1 << 62)))), "out of range"),
    (envelope("v1", "ConfigMap", ld(2, ld(1, b"a") + key(2, 0) + varint(1))), "wire type varint"),
    (envelope("apps/v1", "ControllerRevision", ld(n("apps.v1.ControllerRevision", "data"), ld(1, b"{nope"))), "not JSON"),
    (envelope("apps/v1", "ControllerRevision", ld(n("apps.v1.ControllerRevision", "data"), ld(1, b"[" * 100000))), "nested"),
])
def test_malformed_bodies_are_bad_requests(body, words):
    with pytest.raises(BadRequest) as e:
        protobuf.decode(body)
    assert words in e.value.message


def test_nesting_beyond_the_limit_is_refused_without_recursing_into_it():
    body = envelope("v1", "ConfigMap", b"")
    for _ in range(5000):  # each level a ControllerRevision whose data is the level below
        body = envelope("apps/v1", "ControllerRevision", ld(n("apps.v1.ControllerRevision", "data"), ld(1, body)))
    with pytest.raises(BadRequest, match="nested too deeply"):
        protobuf.decode(body, max_depth=100)


def test_a_kind_without_a_table_raises_unsupported_media_type():
    with pytest.raises(HTTPError) as e:
        protobuf.decode(envelope("apiextensions.k8s.io/v1", "CustomResourceDefinition", b""))
    assert e.value.reason == "UnsupportedMediaType"
    assert "CustomResourceDefinition (apiextensions.k8s.io/v1)" in e.value.message


def test_every_truncation_of_a_valid_body_is_decoded_or_refused():
    for cut in range(len(GOOD)):
        try:
            protobuf.decode(GOOD[:cut])
        except BadRequest:
            pass


def _decodes_or_refuses(body: bytes) -> None:
    try:
        assert isinstance(protobuf.decode(body), dict)
    except (BadRequest, HTTPError):
        pass


def test_random_bytes_are_decoded_or_refused():
    from hypothesis import given, settings, strategies as st

    @settings(max_examples=400, deadline=None)
    @given(st.sampled_from([("apps/v1", "Deployment"), ("v1", "Pod"), ("v1", "Secret"), ("batch/v1", "CronJob")]),
           st.binary(max_size=300))
    def check(kind, raw):
        _decodes_or_refuses(envelope(*kind, raw))
        _decodes_or_refuses(protobuf.MAGIC + raw)

    check()


def test_mutated_valid_bodies_are_decoded_or_refused():
    from hypothesis import given, settings, strategies as st

    @settings(max_examples=400, deadline=None)
    @given(st.integers(0, len(GOOD) - 1), st.integers(0, 255))
    def check(at, byte):
        _decodes_or_refuses(GOOD[:at] + bytes([byte]) + GOOD[at + 1:])

    check()
