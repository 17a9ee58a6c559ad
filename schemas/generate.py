#!/usr/bin/env python3
"""Generate kubelite's JSON Schemas (Draft 2020-12), one file per Kubernetes kind.

Run ``python schemas/generate.py`` from anywhere; it rewrites ``schemas/<kind>.json``
next to this script.  ``python schemas/generate.py --out DIR`` writes elsewhere and
``--check`` exits non-zero when the files on disk differ from what would be generated.

Stdlib only.  Field names and types follow the upstream k8s.io/api Go types
(v1.32, plus a few newer fields that are already part of the published API).

Schema conventions (the kubelite validator and ``kubelite explain`` rely on them):

* Every file is self-contained: shared structures live under ``$defs`` and are
  referenced as ``{"$ref": "#/$defs/<GoTypeName>"}``.  Each def carries
  ``"title": "<GoTypeName>"``.
* Every def is typed ``["object", "null"]``, so an *optional* property that points
  at a def is a bare ``$ref`` (plus ``description``) and accepts JSON null.  A
  *required* property (or an array item) adds ``"type": "object"`` next to the
  ``$ref``, which rejects null.  No ``anyOf`` is used anywhere, so validation errors
  always carry the precise path of the offending field.
* Optional scalars / arrays / maps add ``"null"`` to their ``type``.
* Objects with a fixed set of fields have ``"additionalProperties": false``;
  string-keyed maps use ``additionalProperties`` with the value schema.
* int32 fields: ``{"type": "integer", "format": "int32", "minimum": -2^31,
  "maximum": 2^31-1}``; int64: ``{"type": "integer", "format": "int64"}``;
  resource quantities: ``{"type": ["string", "number"], "format": "quantity"}``;
  IntOrString: ``{"type": ["integer", "string"], "format": "int-or-string",
  "x-kubernetes-int-or-string": true}``; timestamps are plain strings.
* Lists that strategic-merge-patch merges by key carry upstream's
  ``x-kubernetes-patch-merge-key`` / ``x-kubernetes-patch-strategy``.
* The root carries ``title`` (the kind) and ``x-kubernetes-group-version-kind``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1

# ---------------------------------------------------------------------------
# A tiny DSL for describing Go structs as JSON Schema
# ---------------------------------------------------------------------------


class Scalar:
    """A leaf value (string, integer, boolean, quantity, ...)."""

    def __init__(self, types, **extra):
        self.types = [types] if isinstance(types, str) else list(types)
        self.extra = extra

    def render(self, nullable: bool) -> dict:
        types = self.types + (["null"] if nullable else [])
        out = {"type": types[0] if len(types) == 1 else types}
        out.update(self.extra)
        return out


class Ref:
    """A reference to a named struct in DEFS."""

    def __init__(self, name: str):
        self.name = name

    def render(self, nullable: bool) -> dict:
        if self.name not in DEFS:
            raise KeyError(f"unknown definition {self.name!r}")
        out = {"$ref": f"#/$defs/{self.name}"}
        if not nullable:
            out["type"] = "object"
        return out


class Arr:
    """A JSON array (Go slice)."""

    def __init__(self, item):
        self.item = item

    def render(self, nullable: bool) -> dict:
        return {
            "type": ["array", "null"] if nullable else "array",
            "items": self.item.render(False),
        }


class Map:
    """A string-keyed JSON object (Go map[string]T)."""

    def __init__(self, value):
        self.value = value

    def render(self, nullable: bool) -> dict:
        return {
            "type": ["object", "null"] if nullable else "object",
            "additionalProperties": self.value.render(False),
        }


class FreeObject:
    """An object whose contents are not described (RawExtension, FieldsV1)."""

    def render(self, nullable: bool) -> dict:
        return {"type": ["object", "null"] if nullable else "object"}


STR = Scalar("string")
BOOL = Scalar("boolean")
I32 = Scalar("integer", format="int32", minimum=INT32_MIN, maximum=INT32_MAX)
I64 = Scalar("integer", format="int64")
QTY = Scalar(["string", "number"], format="quantity")
IOS = Scalar(["integer", "string"], **{"format": "int-or-string", "x-kubernetes-int-or-string": True})
TIME = Scalar("string")  # metav1.Time, RFC 3339
MICROTIME = Scalar("string")  # metav1.MicroTime, RFC 3339 with microseconds
BYTES = Scalar("string", format="byte")  # base64-encoded []byte
STRMAP = Map(STR)
RESOURCES = Map(QTY)  # core/v1 ResourceList
FREE = FreeObject()


class Field:
    def __init__(self, type_, desc=None, required=False, merge_key=None, strategy=None):
        self.type = type_
        self.desc = desc
        self.required = required
        self.merge_key = merge_key
        self.strategy = strategy if strategy is not None else ("merge" if merge_key else None)

    def render(self) -> dict:
        out = self.type.render(nullable=not self.required)
        if self.desc:
            out["description"] = self.desc
        if self.merge_key:
            out["x-kubernetes-patch-merge-key"] = self.merge_key
        if self.strategy:
            out["x-kubernetes-patch-strategy"] = self.strategy
        return out


def f(type_, desc=None, **kw) -> Field:
    """Optional field."""
    return Field(type_, desc, **kw)


def req(type_, desc=None, **kw) -> Field:
    """Required field (also rejects null)."""
    return Field(type_, desc, required=True, **kw)


DEFS: dict[str, tuple[str, dict[str, Field]]] = {}


def struct(name: str, desc: str, /, **fields: Field) -> Ref:
    if name in DEFS:
        raise ValueError(f"duplicate definition {name!r}")
    DEFS[name] = (desc, fields)
    return Ref(name)


def render_object(fields: dict[str, Field], types) -> dict:
    out = {
        "type": types,
        "properties": {k: v.render() for k, v in fields.items()},
        "additionalProperties": False,
    }
    required = sorted(k for k, v in fields.items() if v.required)
    if required:
        out["required"] = required
    return out


def render_def(name: str) -> dict:
    desc, fields = DEFS[name]
    out = render_object(fields, ["object", "null"])
    out["title"] = name
    out["description"] = desc
    return out


R = Ref  # shorthand for forward references inside struct() calls

# ---------------------------------------------------------------------------
# meta/v1
# ---------------------------------------------------------------------------

struct(
    "OwnerReference",
    "Points at an object that owns this one; used by garbage collection.",
    apiVersion=req(STR, "API version of the owner."),
    kind=req(STR, "Kind of the owner."),
    name=req(STR, "Name of the owner."),
    uid=req(STR, "UID of the owner."),
    controller=f(BOOL, "True when the owner is the managing controller."),
    blockOwnerDeletion=f(BOOL, "When true, the owner cannot be deleted in the foreground until this reference is removed."),
)

struct(
    "ManagedFieldsEntry",
    "Records which manager owns which fields of an object (server-side apply bookkeeping).",
    manager=f(STR, "Name of the workflow that manages these fields."),
    operation=f(STR, "Operation that produced this entry: Apply or Update."),
    apiVersion=f(STR, "API version the field set is expressed in."),
    time=f(TIME, "When the entry was last changed."),
    fieldsType=f(STR, "Format of fieldsV1; only FieldsV1 is defined."),
    fieldsV1=f(FREE, "The set of owned fields, in FieldsV1 trie form."),
    subresource=f(STR, "Subresource the operation was made against, if any."),
)

struct(
    "ObjectMeta",
    "Standard metadata every persisted object carries.",
    name=f(STR, "Name of the object, unique within its namespace (or cluster for cluster-scoped kinds)."),
    generateName=f(STR, "Prefix used to generate a unique name when name is not given."),
    namespace=f(STR, "Namespace the object lives in; empty means default for namespaced kinds."),
    selfLink=f(STR, "Deprecated legacy URL of the object; no longer populated."),
    uid=f(STR, "Unique identifier assigned by the system at creation."),
    resourceVersion=f(STR, "Opaque version used for optimistic concurrency and watches."),
    generation=f(I64, "Sequence number of the desired state, bumped on every spec change."),
    creationTimestamp=f(TIME, "When the object was created (RFC 3339); set by the system."),
    deletionTimestamp=f(TIME, "When graceful deletion was requested; set by the system."),
    deletionGracePeriodSeconds=f(I64, "Seconds allowed for graceful termination once deletion started."),
    labels=f(STRMAP, "Key/value pairs used to organize and select objects."),
    annotations=f(STRMAP, "Arbitrary non-identifying key/value metadata."),
    ownerReferences=f(Arr(R("OwnerReference")), "Objects this object depends on; used for garbage collection.", merge_key="uid"),
    finalizers=f(Arr(STR), "Keys that must be cleared before the object is actually removed.", strategy="merge"),
    managedFields=f(Arr(R("ManagedFieldsEntry")), "Field ownership records maintained by server-side apply."),
)

struct(
    "LabelSelectorRequirement",
    "A single set-based label match expression.",
    key=req(STR, "Label key the requirement applies to."),
    operator=req(STR, "Relationship between key and values: In, NotIn, Exists or DoesNotExist."),
    values=f(Arr(STR), "Values to compare against; must be empty for Exists and DoesNotExist."),
)

struct(
    "LabelSelector",
    "A label query; all of matchLabels and matchExpressions must hold (an empty selector matches everything).",
    matchLabels=f(STRMAP, "Exact key=value pairs that must all be present."),
    matchExpressions=f(Arr(R("LabelSelectorRequirement")), "Set-based requirements that must all hold."),
)

struct(
    "Condition",
    "A standard metav1 condition describing one aspect of an object's state.",
    type=req(STR, "Condition type in CamelCase."),
    status=req(STR, "True, False or Unknown."),
    observedGeneration=f(I64, "The .metadata.generation the condition was computed from."),
    lastTransitionTime=f(TIME, "Last time the status changed."),
    reason=f(STR, "Machine-readable CamelCase reason for the last transition."),
    message=f(STR, "Human-readable details about the last transition."),
)

# ---------------------------------------------------------------------------
# core/v1: references
# ---------------------------------------------------------------------------

struct(
    "ObjectReference",
    "A reference to another object, possibly a field within it.",
    kind=f(STR, "Kind of the referent."),
    namespace=f(STR, "Namespace of the referent."),
    name=f(STR, "Name of the referent."),
    uid=f(STR, "UID of the referent."),
    apiVersion=f(STR, "API version of the referent."),
    resourceVersion=f(STR, "Specific resourceVersion the reference is to."),
    fieldPath=f(STR, "Path to a field inside the referent, e.g. spec.containers{name}."),
)

struct(
    "LocalObjectReference",
    "Names an object in the same namespace.",
    name=f(STR, "Name of the referent."),
)

struct(
    "TypedLocalObjectReference",
    "Names a typed object in the same namespace.",
    apiGroup=f(STR, "API group of the referent; empty for the core group."),
    kind=req(STR, "Kind of the referent."),
    name=req(STR, "Name of the referent."),
)

struct(
    "TypedObjectReference",
    "Names a typed object, optionally in another namespace.",
    apiGroup=f(STR, "API group of the referent; empty for the core group."),
    kind=req(STR, "Kind of the referent."),
    name=req(STR, "Name of the referent."),
    namespace=f(STR, "Namespace of the referent; cross-namespace use needs a ReferenceGrant."),
)

struct(
    "SecretReference",
    "Names a Secret, optionally in another namespace.",
    name=f(STR, "Name of the Secret."),
    namespace=f(STR, "Namespace of the Secret."),
)

# ---------------------------------------------------------------------------
# core/v1: environment, resources, ports
# ---------------------------------------------------------------------------

struct(
    "ObjectFieldSelector",
    "Selects a field of the pod.",
    apiVersion=f(STR, "Schema version the fieldPath is written in; defaults to v1."),
    fieldPath=req(STR, "Path of the field to select, e.g. metadata.name."),
)

struct(
    "ResourceFieldSelector",
    "Selects a container resource (limit or request).",
    containerName=f(STR, "Container name; required for volumes, optional for env vars."),
    resource=req(STR, "Resource to select, e.g. limits.cpu."),
    divisor=f(QTY, "Output unit for the value; defaults to 1."),
)

struct(
    "ConfigMapKeySelector",
    "Selects a key of a ConfigMap.",
    name=f(STR, "Name of the ConfigMap."),
    key=req(STR, "Key to select."),
    optional=f(BOOL, "Whether the ConfigMap or key may be missing."),
)

struct(
    "SecretKeySelector",
    "Selects a key of a Secret.",
    name=f(STR, "Name of the Secret."),
    key=req(STR, "Key to select."),
    optional=f(BOOL, "Whether the Secret or key may be missing."),
)

struct(
    "EnvVarSource",
    "Where an environment variable's value comes from.",
    fieldRef=f(R("ObjectFieldSelector"), "A field of the pod."),
    resourceFieldRef=f(R("ResourceFieldSelector"), "A resource limit or request of a container."),
    configMapKeyRef=f(R("ConfigMapKeySelector"), "A key of a ConfigMap in the pod's namespace."),
    secretKeyRef=f(R("SecretKeySelector"), "A key of a Secret in the pod's namespace."),
)

struct(
    "EnvVar",
    "An environment variable set in a container.",
    name=req(STR, "Name of the variable."),
    value=f(STR, "Literal value; $(VAR) references are expanded."),
    valueFrom=f(R("EnvVarSource"), "Source for the value; cannot be combined with value."),
)

struct(
    "ConfigMapEnvSource",
    "Imports every key of a ConfigMap as environment variables.",
    name=f(STR, "Name of the ConfigMap."),
    optional=f(BOOL, "Whether the ConfigMap may be missing."),
)

struct(
    "SecretEnvSource",
    "Imports every key of a Secret as environment variables.",
    name=f(STR, "Name of the Secret."),
    optional=f(BOOL, "Whether the Secret may be missing."),
)

struct(
    "EnvFromSource",
    "A bulk source of environment variables.",
    prefix=f(STR, "Prefix prepended to every imported key."),
    configMapRef=f(R("ConfigMapEnvSource"), "ConfigMap to import."),
    secretRef=f(R("SecretEnvSource"), "Secret to import."),
)

struct(
    "ResourceClaim",
    "Names a pod-level resource claim a container uses.",
    name=req(STR, "Name of an entry in the pod's spec.resourceClaims."),
    request=f(STR, "Specific request within the claim; empty means the whole claim."),
)

struct(
    "ResourceRequirements",
    "Compute resource requests and limits.",
    limits=f(RESOURCES, "Maximum amount of each resource allowed."),
    requests=f(RESOURCES, "Minimum amount of each resource required; defaults to limits when omitted."),
    claims=f(Arr(R("ResourceClaim")), "Dynamically allocated resource claims used by this container."),
)

struct(
    "VolumeResourceRequirements",
    "Storage requests and limits of a volume claim.",
    limits=f(RESOURCES, "Maximum amount of storage allowed."),
    requests=f(RESOURCES, "Minimum amount of storage required."),
)

struct(
    "ContainerPort",
    "A network port exposed by a container.",
    name=f(STR, "IANA_SVC_NAME for the port, referable from services."),
    hostPort=f(I32, "Port number to expose on the host."),
    containerPort=req(I32, "Port number on the pod's IP address."),
    protocol=f(STR, "UDP, TCP or SCTP; defaults to TCP."),
    hostIP=f(STR, "Host IP to bind the external port to."),
)

struct(
    "ContainerResizePolicy",
    "How a container reacts to an in-place resource resize.",
    resourceName=req(STR, "Resource the policy applies to: cpu or memory."),
    restartPolicy=req(STR, "NotRequired or RestartContainer."),
)

struct(
    "VolumeMount",
    "Mounts a pod volume into a container.",
    name=req(STR, "Name of the pod volume to mount."),
    readOnly=f(BOOL, "Mount read-only when true."),
    recursiveReadOnly=f(STR, "Whether read-only mounts are recursively read-only: Disabled, IfPossible or Enabled."),
    mountPath=req(STR, "Path inside the container; must not contain ':'."),
    subPath=f(STR, "Sub-path inside the volume to mount instead of its root."),
    mountPropagation=f(STR, "Mount propagation mode: None, HostToContainer or Bidirectional."),
    subPathExpr=f(STR, "Like subPath, with $(VAR) expansion from the container environment."),
)

struct(
    "VolumeDevice",
    "Maps a raw block volume into a container.",
    name=req(STR, "Name of a persistentVolumeClaim volume in the pod."),
    devicePath=req(STR, "Path of the device inside the container."),
)

# ---------------------------------------------------------------------------
# core/v1: probes and lifecycle
# ---------------------------------------------------------------------------

struct(
    "ExecAction",
    "Runs a command inside the container.",
    command=f(Arr(STR), "Command line to execute; not run in a shell. Exit status 0 means success."),
)

struct(
    "HTTPHeader",
    "A custom HTTP header.",
    name=req(STR, "Header field name."),
    value=req(STR, "Header field value."),
)

struct(
    "HTTPGetAction",
    "Performs an HTTP GET request.",
    path=f(STR, "Path to request."),
    port=req(IOS, "Port number or name to connect to."),
    host=f(STR, "Host to connect to; defaults to the pod IP."),
    scheme=f(STR, "HTTP or HTTPS; defaults to HTTP."),
    httpHeaders=f(Arr(R("HTTPHeader")), "Extra request headers."),
)

struct(
    "TCPSocketAction",
    "Opens a TCP connection.",
    port=req(IOS, "Port number or name to connect to."),
    host=f(STR, "Host to connect to; defaults to the pod IP."),
)

struct(
    "GRPCAction",
    "Calls the gRPC health checking service.",
    port=req(I32, "Port number of the gRPC service."),
    service=f(STR, "Service name passed in the HealthCheckRequest."),
)

struct(
    "SleepAction",
    "Sleeps for a while.",
    seconds=req(I64, "Number of seconds to sleep."),
)

_PROBE_HANDLER = dict(
    exec=f(R("ExecAction"), "Run a command in the container."),
    httpGet=f(R("HTTPGetAction"), "Perform an HTTP GET."),
    tcpSocket=f(R("TCPSocketAction"), "Open a TCP connection."),
    grpc=f(R("GRPCAction"), "Call a gRPC health check."),
)

struct(
    "Probe",
    "A periodic health check performed against a container.",
    **_PROBE_HANDLER,
    initialDelaySeconds=f(I32, "Seconds after container start before probing begins."),
    timeoutSeconds=f(I32, "Seconds after which the probe times out; defaults to 1."),
    periodSeconds=f(I32, "How often to probe, in seconds; defaults to 10."),
    successThreshold=f(I32, "Consecutive successes needed after a failure; defaults to 1."),
    failureThreshold=f(I32, "Consecutive failures before giving up; defaults to 3."),
    terminationGracePeriodSeconds=f(I64, "Grace period used when the probe fails and the container is killed."),
)

struct(
    "LifecycleHandler",
    "An action run at a container lifecycle hook.",
    exec=f(R("ExecAction"), "Run a command in the container."),
    httpGet=f(R("HTTPGetAction"), "Perform an HTTP GET."),
    tcpSocket=f(R("TCPSocketAction"), "Deprecated; kept for compatibility and not executed."),
    sleep=f(R("SleepAction"), "Sleep for a number of seconds."),
)

struct(
    "Lifecycle",
    "Actions run in response to container lifecycle events.",
    postStart=f(R("LifecycleHandler"), "Called right after the container is created."),
    preStop=f(R("LifecycleHandler"), "Called right before the container is terminated."),
    stopSignal=f(STR, "Signal used to stop the container, e.g. SIGTERM."),
)

# ---------------------------------------------------------------------------
# core/v1: security contexts
# ---------------------------------------------------------------------------

struct(
    "Capabilities",
    "POSIX capabilities added to or dropped from a container.",
    add=f(Arr(STR), "Capabilities to add."),
    drop=f(Arr(STR), "Capabilities to drop."),
)

struct(
    "SELinuxOptions",
    "SELinux labels applied to a container.",
    user=f(STR, "SELinux user label."),
    role=f(STR, "SELinux role label."),
    type=f(STR, "SELinux type label."),
    level=f(STR, "SELinux level label."),
)

struct(
    "WindowsSecurityContextOptions",
    "Windows-specific security settings.",
    gmsaCredentialSpecName=f(STR, "Name of the GMSA credential spec to use."),
    gmsaCredentialSpec=f(STR, "Inlined contents of the GMSA credential spec."),
    runAsUserName=f(STR, "User name to run the entrypoint as."),
    hostProcess=f(BOOL, "Run as a Windows HostProcess container."),
)

struct(
    "SeccompProfile",
    "Seccomp profile settings.",
    type=req(STR, "Profile kind: Localhost, RuntimeDefault or Unconfined."),
    localhostProfile=f(STR, "Path of a profile on the node; only for type Localhost."),
)

struct(
    "AppArmorProfile",
    "AppArmor profile settings.",
    type=req(STR, "Profile kind: Localhost, RuntimeDefault or Unconfined."),
    localhostProfile=f(STR, "Name of a profile loaded on the node; only for type Localhost."),
)

struct(
    "Sysctl",
    "A namespaced kernel parameter.",
    name=req(STR, "Name of the parameter."),
    value=req(STR, "Value to set."),
)

struct(
    "SecurityContext",
    "Container-level security settings; they override the pod-level ones.",
    capabilities=f(R("Capabilities"), "Capabilities to add or drop."),
    privileged=f(BOOL, "Run the container in privileged mode."),
    seLinuxOptions=f(R("SELinuxOptions"), "SELinux context for the container."),
    windowsOptions=f(R("WindowsSecurityContextOptions"), "Windows-specific settings."),
    runAsUser=f(I64, "UID to run the entrypoint as."),
    runAsGroup=f(I64, "GID to run the entrypoint as."),
    runAsNonRoot=f(BOOL, "Require the container to run as a non-root user."),
    readOnlyRootFilesystem=f(BOOL, "Mount the root filesystem read-only."),
    allowPrivilegeEscalation=f(BOOL, "Whether a process may gain more privileges than its parent."),
    procMount=f(STR, "proc mount type: Default or Unmasked."),
    seccompProfile=f(R("SeccompProfile"), "Seccomp profile for the container."),
    appArmorProfile=f(R("AppArmorProfile"), "AppArmor profile for the container."),
)

struct(
    "PodSecurityContext",
    "Pod-level security settings applied to all containers.",
    seLinuxOptions=f(R("SELinuxOptions"), "SELinux context for all containers."),
    windowsOptions=f(R("WindowsSecurityContextOptions"), "Windows-specific settings."),
    runAsUser=f(I64, "UID to run container entrypoints as."),
    runAsGroup=f(I64, "GID to run container entrypoints as."),
    runAsNonRoot=f(BOOL, "Require containers to run as a non-root user."),
    supplementalGroups=f(Arr(I64), "Extra GIDs added to each container's first process."),
    supplementalGroupsPolicy=f(STR, "How supplemental groups are computed: Merge or Strict."),
    fsGroup=f(I64, "Special supplemental group that owns supported volumes."),
    sysctls=f(Arr(R("Sysctl")), "Namespaced sysctls set for the pod."),
    fsGroupChangePolicy=f(STR, "When volume ownership is changed: OnRootMismatch or Always."),
    seccompProfile=f(R("SeccompProfile"), "Seccomp profile for all containers."),
    appArmorProfile=f(R("AppArmorProfile"), "AppArmor profile for all containers."),
    seLinuxChangePolicy=f(STR, "How SELinux labels are applied to volumes: MountOption or Recursive."),
)

# ---------------------------------------------------------------------------
# core/v1: containers
# ---------------------------------------------------------------------------

_CONTAINER_FIELDS = dict(
    name=req(STR, "Name of the container, a DNS label unique within the pod."),
    image=req(STR, "Container image reference (kubelite requires it)."),
    command=f(Arr(STR), "Entrypoint array; replaces the image ENTRYPOINT."),
    args=f(Arr(STR), "Arguments to the entrypoint; replace the image CMD."),
    workingDir=f(STR, "Working directory of the container."),
    ports=f(Arr(R("ContainerPort")), "Ports exposed by the container.", merge_key="containerPort"),
    envFrom=f(Arr(R("EnvFromSource")), "Sources whose keys are imported as environment variables."),
    env=f(Arr(R("EnvVar")), "Environment variables to set.", merge_key="name"),
    resources=f(R("ResourceRequirements"), "Compute resources required by the container."),
    resizePolicy=f(Arr(R("ContainerResizePolicy")), "How the container handles in-place resource resizes."),
    restartPolicy=f(STR, "Per-container restart policy; only Always is allowed, for sidecar init containers."),
    volumeMounts=f(Arr(R("VolumeMount")), "Pod volumes to mount into the filesystem.", merge_key="mountPath"),
    volumeDevices=f(Arr(R("VolumeDevice")), "Block devices to expose to the container.", merge_key="devicePath"),
    livenessProbe=f(R("Probe"), "Probe whose failure restarts the container."),
    readinessProbe=f(R("Probe"), "Probe whose failure removes the pod from service endpoints."),
    startupProbe=f(R("Probe"), "Probe that must succeed before the other probes run."),
    lifecycle=f(R("Lifecycle"), "Actions run on lifecycle events."),
    terminationMessagePath=f(STR, "File whose contents become the termination message."),
    terminationMessagePolicy=f(STR, "File or FallbackToLogsOnError."),
    imagePullPolicy=f(STR, "Always, Never or IfNotPresent."),
    securityContext=f(R("SecurityContext"), "Security options for the container."),
    stdin=f(BOOL, "Allocate a stdin buffer."),
    stdinOnce=f(BOOL, "Close stdin after the first attach session ends."),
    tty=f(BOOL, "Allocate a TTY (requires stdin)."),
)

struct("Container", "A single application container running in a pod.", **_CONTAINER_FIELDS)

struct(
    "EphemeralContainer",
    "A temporary container added to a running pod, e.g. for debugging.",
    **_CONTAINER_FIELDS,
    targetContainerName=f(STR, "Container whose namespaces this ephemeral container targets."),
)

# ---------------------------------------------------------------------------
# core/v1: scheduling (affinity, tolerations, spreading)
# ---------------------------------------------------------------------------

struct(
    "NodeSelectorRequirement",
    "A match expression on node labels or fields.",
    key=req(STR, "Label or field key."),
    operator=req(STR, "In, NotIn, Exists, DoesNotExist, Gt or Lt."),
    values=f(Arr(STR), "Values to compare against."),
)

struct(
    "NodeSelectorTerm",
    "Requirements that must all match; terms in a list are ORed.",
    matchExpressions=f(Arr(R("NodeSelectorRequirement")), "Requirements on node labels."),
    matchFields=f(Arr(R("NodeSelectorRequirement")), "Requirements on node fields."),
)

struct(
    "NodeSelector",
    "A node query made of ORed terms.",
    nodeSelectorTerms=req(Arr(R("NodeSelectorTerm")), "Terms, any of which may match."),
)

struct(
    "PreferredSchedulingTerm",
    "A weighted node preference.",
    weight=req(I32, "Weight in the range 1-100."),
    preference=req(R("NodeSelectorTerm"), "Node selector term associated with the weight."),
)

struct(
    "NodeAffinity",
    "Node affinity scheduling rules.",
    requiredDuringSchedulingIgnoredDuringExecution=f(R("NodeSelector"), "Hard requirement the chosen node must satisfy."),
    preferredDuringSchedulingIgnoredDuringExecution=f(Arr(R("PreferredSchedulingTerm")), "Soft, weighted preferences."),
)

struct(
    "PodAffinityTerm",
    "Selects pods relative to which this pod should (or should not) be placed.",
    labelSelector=f(R("LabelSelector"), "Query over pods."),
    namespaces=f(Arr(STR), "Namespaces the labelSelector applies to; empty means this pod's namespace."),
    topologyKey=req(STR, "Node label key that defines co-location."),
    namespaceSelector=f(R("LabelSelector"), "Query over namespaces the term applies to."),
    matchLabelKeys=f(Arr(STR), "Label keys whose values are taken from this pod and ANDed into labelSelector."),
    mismatchLabelKeys=f(Arr(STR), "Label keys whose values from this pod must not match."),
)

struct(
    "WeightedPodAffinityTerm",
    "A weighted pod affinity term.",
    weight=req(I32, "Weight in the range 1-100."),
    podAffinityTerm=req(R("PodAffinityTerm"), "The affinity term."),
)

struct(
    "PodAffinity",
    "Rules to co-locate this pod with other pods.",
    requiredDuringSchedulingIgnoredDuringExecution=f(Arr(R("PodAffinityTerm")), "Hard requirements."),
    preferredDuringSchedulingIgnoredDuringExecution=f(Arr(R("WeightedPodAffinityTerm")), "Soft, weighted preferences."),
)

struct(
    "PodAntiAffinity",
    "Rules to keep this pod away from other pods.",
    requiredDuringSchedulingIgnoredDuringExecution=f(Arr(R("PodAffinityTerm")), "Hard requirements."),
    preferredDuringSchedulingIgnoredDuringExecution=f(Arr(R("WeightedPodAffinityTerm")), "Soft, weighted preferences."),
)

struct(
    "Affinity",
    "Affinity scheduling rules.",
    nodeAffinity=f(R("NodeAffinity"), "Node affinity rules."),
    podAffinity=f(R("PodAffinity"), "Pod affinity rules."),
    podAntiAffinity=f(R("PodAntiAffinity"), "Pod anti-affinity rules."),
)

struct(
    "Toleration",
    "Lets a pod schedule onto (or stay on) nodes with a matching taint.",
    key=f(STR, "Taint key to match; empty with operator Exists matches all keys."),
    operator=f(STR, "Exists or Equal; defaults to Equal."),
    value=f(STR, "Taint value to match."),
    effect=f(STR, "Taint effect to match: NoSchedule, PreferNoSchedule or NoExecute; empty matches all."),
    tolerationSeconds=f(I64, "For NoExecute, how long the pod stays bound after the taint appears."),
)

struct(
    "TopologySpreadConstraint",
    "Describes how pods should be spread across topology domains.",
    maxSkew=req(I32, "Maximum permitted difference in matching pods between domains."),
    topologyKey=req(STR, "Node label key whose values define the domains."),
    whenUnsatisfiable=req(STR, "DoNotSchedule or ScheduleAnyway."),
    labelSelector=f(R("LabelSelector"), "Selects the pods that are counted."),
    minDomains=f(I32, "Minimum number of eligible domains."),
    nodeAffinityPolicy=f(STR, "Whether node affinity is honored when computing skew: Honor or Ignore."),
    nodeTaintsPolicy=f(STR, "Whether node taints are honored when computing skew: Honor or Ignore."),
    matchLabelKeys=f(Arr(STR), "Pod label keys whose values are added to the selector."),
)

struct(
    "HostAlias",
    "An entry added to the pod's /etc/hosts.",
    ip=req(STR, "IP address of the host entry."),
    hostnames=f(Arr(STR), "Hostnames for the IP address."),
)

struct(
    "PodDNSConfigOption",
    "A resolver option.",
    name=f(STR, "Option name."),
    value=f(STR, "Option value."),
)

struct(
    "PodDNSConfig",
    "Extra DNS settings for a pod.",
    nameservers=f(Arr(STR), "DNS server IP addresses."),
    searches=f(Arr(STR), "DNS search domains."),
    options=f(Arr(R("PodDNSConfigOption")), "Resolver options."),
)

struct(
    "PodReadinessGate",
    "An extra condition that must be True for the pod to be ready.",
    conditionType=req(STR, "Pod condition type to wait for."),
)

struct(
    "PodSchedulingGate",
    "A gate that blocks scheduling until removed.",
    name=req(STR, "Name of the gate."),
)

struct(
    "PodOS",
    "Operating system the pod targets.",
    name=req(STR, "linux or windows."),
)

struct(
    "ClaimSource",
    "Legacy (v1.30) way to name the ResourceClaim of a pod resource claim.",
    resourceClaimName=f(STR, "Name of an existing ResourceClaim."),
    resourceClaimTemplateName=f(STR, "Name of a ResourceClaimTemplate to instantiate."),
)

struct(
    "PodResourceClaim",
    "A dynamic resource claim made available to the pod's containers.",
    name=req(STR, "Name the claim is referred to by inside the pod."),
    resourceClaimName=f(STR, "Name of an existing ResourceClaim."),
    resourceClaimTemplateName=f(STR, "Name of a ResourceClaimTemplate from which a claim is created."),
    source=f(R("ClaimSource"), "Pre-1.31 location of the claim reference; prefer the sibling fields."),
)

# ---------------------------------------------------------------------------
# core/v1: volume sources
# ---------------------------------------------------------------------------

struct(
    "KeyToPath",
    "Maps a key to a file path inside a volume.",
    key=req(STR, "Key to project."),
    path=req(STR, "Relative file path to write the key to."),
    mode=f(I32, "File permission bits (0-0777)."),
)

struct(
    "HostPathVolumeSource",
    "A file or directory on the node.",
    path=req(STR, "Path on the host."),
    type=f(STR, "Expected type of the path, e.g. Directory, DirectoryOrCreate, File, Socket."),
)

struct(
    "EmptyDirVolumeSource",
    "A temporary directory that lives as long as the pod.",
    medium=f(STR, "Storage medium: empty for the node default, or Memory."),
    sizeLimit=f(QTY, "Maximum size of the directory."),
)

struct(
    "GCEPersistentDiskVolumeSource",
    "A GCE persistent disk (deprecated in-tree driver).",
    pdName=req(STR, "Name of the disk in GCE."),
    fsType=f(STR, "Filesystem type."),
    partition=f(I32, "Partition to mount."),
    readOnly=f(BOOL, "Mount read-only."),
)

struct(
    "AWSElasticBlockStoreVolumeSource",
    "An AWS EBS volume (deprecated in-tree driver).",
    volumeID=req(STR, "EBS volume ID."),
    fsType=f(STR, "Filesystem type."),
    partition=f(I32, "Partition to mount."),
    readOnly=f(BOOL, "Mount read-only."),
)

struct(
    "GitRepoVolumeSource",
    "A git repository cloned into an empty directory (deprecated).",
    repository=req(STR, "Repository URL."),
    revision=f(STR, "Commit hash to check out."),
    directory=f(STR, "Target directory name."),
)

struct(
    "SecretVolumeSource",
    "Populates a volume from a Secret.",
    secretName=f(STR, "Name of the Secret in the pod's namespace."),
    items=f(Arr(R("KeyToPath")), "Keys to project; all keys when empty."),
    defaultMode=f(I32, "Default file permission bits."),
    optional=f(BOOL, "Whether the Secret or its keys may be missing."),
)

struct(
    "NFSVolumeSource",
    "An NFS export.",
    server=req(STR, "NFS server hostname or IP."),
    path=req(STR, "Exported path."),
    readOnly=f(BOOL, "Mount read-only."),
)

_ISCSI = dict(
    targetPortal=req(STR, "iSCSI target portal, IP or ip:port."),
    iqn=req(STR, "Target iSCSI Qualified Name."),
    lun=req(I32, "Target LUN number."),
    iscsiInterface=f(STR, "iSCSI interface name; defaults to default (tcp)."),
    fsType=f(STR, "Filesystem type."),
    readOnly=f(BOOL, "Mount read-only."),
    portals=f(Arr(STR), "Additional target portals."),
    chapAuthDiscovery=f(BOOL, "Use CHAP authentication for discovery."),
    chapAuthSession=f(BOOL, "Use CHAP authentication for the session."),
    initiatorName=f(STR, "Custom iSCSI initiator name."),
)

struct(
    "ISCSIVolumeSource",
    "An iSCSI disk.",
    **_ISCSI,
    secretRef=f(R("LocalObjectReference"), "Secret holding CHAP credentials."),
)

struct(
    "ISCSIPersistentVolumeSource",
    "An iSCSI disk used by a PersistentVolume.",
    **_ISCSI,
    secretRef=f(R("SecretReference"), "Secret holding CHAP credentials."),
)

struct(
    "GlusterfsVolumeSource",
    "A GlusterFS mount (removed driver, kept for decoding).",
    endpoints=req(STR, "Endpoints object naming the Gluster cluster."),
    path=req(STR, "Gluster volume path."),
    readOnly=f(BOOL, "Mount read-only."),
)

struct(
    "GlusterfsPersistentVolumeSource",
    "A GlusterFS mount used by a PersistentVolume.",
    endpoints=req(STR, "Endpoints object naming the Gluster cluster."),
    path=req(STR, "Gluster volume path."),
    readOnly=f(BOOL, "Mount read-only."),
    endpointsNamespace=f(STR, "Namespace of the endpoints object."),
)

struct(
    "PersistentVolumeClaimVolumeSource",
    "Mounts the volume bound to a PersistentVolumeClaim.",
    claimName=req(STR, "Name of the claim in the pod's namespace."),
    readOnly=f(BOOL, "Mount read-only."),
)

_RBD = dict(
    monitors=req(Arr(STR), "Ceph monitor addresses."),
    image=req(STR, "RADOS image name."),
    fsType=f(STR, "Filesystem type."),
    pool=f(STR, "RADOS pool; defaults to rbd."),
    user=f(STR, "RADOS user; defaults to admin."),
    keyring=f(STR, "Path of the keyring; defaults to /etc/ceph/keyring."),
    readOnly=f(BOOL, "Mount read-only."),
)

struct("RBDVolumeSource", "A Ceph RBD image.", **_RBD, secretRef=f(R("LocalObjectReference"), "Secret with the RBD user key."))
struct(
    "RBDPersistentVolumeSource",
    "A Ceph RBD image used by a PersistentVolume.",
    **_RBD,
    secretRef=f(R("SecretReference"), "Secret with the RBD user key."),
)

_FLEX = dict(
    driver=req(STR, "Name of the FlexVolume driver."),
    fsType=f(STR, "Filesystem type."),
    readOnly=f(BOOL, "Mount read-only."),
    options=f(STRMAP, "Extra driver options."),
)

struct("FlexVolumeSource", "A volume provided by an exec-based FlexVolume driver.", **_FLEX, secretRef=f(R("LocalObjectReference"), "Secret passed to the driver."))
struct(
    "FlexPersistentVolumeSource",
    "A FlexVolume used by a PersistentVolume.",
    **_FLEX,
    secretRef=f(R("SecretReference"), "Secret passed to the driver."),
)

_CINDER = dict(
    volumeID=req(STR, "Cinder volume ID."),
    fsType=f(STR, "Filesystem type."),
    readOnly=f(BOOL, "Mount read-only."),
)
struct("CinderVolumeSource", "An OpenStack Cinder volume.", **_CINDER, secretRef=f(R("LocalObjectReference"), "Secret with OpenStack credentials."))
struct(
    "CinderPersistentVolumeSource",
    "A Cinder volume used by a PersistentVolume.",
    **_CINDER,
    secretRef=f(R("SecretReference"), "Secret with OpenStack credentials."),
)

_CEPHFS = dict(
    monitors=req(Arr(STR), "Ceph monitor addresses."),
    path=f(STR, "Path within the Ceph filesystem to mount; defaults to /."),
    user=f(STR, "RADOS user; defaults to admin."),
    secretFile=f(STR, "Path of the keyring; defaults to /etc/ceph/user.secret."),
    readOnly=f(BOOL, "Mount read-only."),
)
struct("CephFSVolumeSource", "A CephFS mount.", **_CEPHFS, secretRef=f(R("LocalObjectReference"), "Secret with the user key."))
struct(
    "CephFSPersistentVolumeSource",
    "A CephFS mount used by a PersistentVolume.",
    **_CEPHFS,
    secretRef=f(R("SecretReference"), "Secret with the user key."),
)

struct(
    "FlockerVolumeSource",
    "A Flocker dataset (deprecated).",
    datasetName=f(STR, "Dataset name (metadata)."),
    datasetUUID=f(STR, "Dataset UUID."),
)

struct(
    "DownwardAPIVolumeFile",
    "A file populated from pod metadata or container resources.",
    path=req(STR, "Relative path of the file to create."),
    fieldRef=f(R("ObjectFieldSelector"), "Pod field to expose."),
    resourceFieldRef=f(R("ResourceFieldSelector"), "Container resource to expose."),
    mode=f(I32, "File permission bits."),
)

struct(
    "DownwardAPIVolumeSource",
    "Exposes pod metadata and resources as files.",
    items=f(Arr(R("DownwardAPIVolumeFile")), "Files to create."),
    defaultMode=f(I32, "Default file permission bits."),
)

struct(
    "FCVolumeSource",
    "A Fibre Channel disk.",
    targetWWNs=f(Arr(STR), "Target world wide names."),
    lun=f(I32, "Target LUN number."),
    fsType=f(STR, "Filesystem type."),
    readOnly=f(BOOL, "Mount read-only."),
    wwids=f(Arr(STR), "Volume world wide identifiers; exclusive with targetWWNs and lun."),
)

struct(
    "AzureFileVolumeSource",
    "An Azure File share.",
    secretName=req(STR, "Secret with the storage account name and key."),
    shareName=req(STR, "Share name."),
    readOnly=f(BOOL, "Mount read-only."),
)

struct(
    "AzureFilePersistentVolumeSource",
    "An Azure File share used by a PersistentVolume.",
    secretName=req(STR, "Secret with the storage account name and key."),
    shareName=req(STR, "Share name."),
    readOnly=f(BOOL, "Mount read-only."),
    secretNamespace=f(STR, "Namespace of the Secret; defaults to the pod's namespace."),
)

struct(
    "ConfigMapVolumeSource",
    "Populates a volume from a ConfigMap.",
    name=f(STR, "Name of the ConfigMap."),
    items=f(Arr(R("KeyToPath")), "Keys to project; all keys when empty."),
    defaultMode=f(I32, "Default file permission bits."),
    optional=f(BOOL, "Whether the ConfigMap or its keys may be missing."),
)

struct(
    "VsphereVirtualDiskVolumeSource",
    "A vSphere volume (deprecated in-tree driver).",
    volumePath=req(STR, "Path identifying the vSphere volume vmdk."),
    fsType=f(STR, "Filesystem type."),
    storagePolicyName=f(STR, "Storage policy based management profile name."),
    storagePolicyID=f(STR, "Storage policy based management profile ID."),
)

struct(
    "QuobyteVolumeSource",
    "A Quobyte mount (removed driver, kept for decoding).",
    registry=req(STR, "Quobyte registry address(es)."),
    volume=req(STR, "Quobyte volume name."),
    readOnly=f(BOOL, "Mount read-only."),
    user=f(STR, "User to map volume access to."),
    group=f(STR, "Group to map volume access to."),
    tenant=f(STR, "Tenant owning the volume."),
)

struct(
    "AzureDiskVolumeSource",
    "An Azure data disk (deprecated in-tree driver).",
    diskName=req(STR, "Name of the data disk."),
    diskURI=req(STR, "URI of the data disk."),
    cachingMode=f(STR, "Host caching mode: None, ReadOnly or ReadWrite."),
    fsType=f(STR, "Filesystem type."),
    readOnly=f(BOOL, "Mount read-only."),
    kind=f(STR, "Shared, Dedicated or Managed."),
)

struct(
    "PhotonPersistentDiskVolumeSource",
    "A Photon Controller persistent disk (removed driver).",
    pdID=req(STR, "Persistent disk ID."),
    fsType=f(STR, "Filesystem type."),
)

struct(
    "SecretProjection",
    "Projects a Secret into a projected volume.",
    name=f(STR, "Name of the Secret."),
    items=f(Arr(R("KeyToPath")), "Keys to project; all keys when empty."),
    optional=f(BOOL, "Whether the Secret or its keys may be missing."),
)

struct(
    "ConfigMapProjection",
    "Projects a ConfigMap into a projected volume.",
    name=f(STR, "Name of the ConfigMap."),
    items=f(Arr(R("KeyToPath")), "Keys to project; all keys when empty."),
    optional=f(BOOL, "Whether the ConfigMap or its keys may be missing."),
)

struct(
    "DownwardAPIProjection",
    "Projects downward API files into a projected volume.",
    items=f(Arr(R("DownwardAPIVolumeFile")), "Files to create."),
)

struct(
    "ServiceAccountTokenProjection",
    "Projects a bound service account token.",
    audience=f(STR, "Intended audience of the token; defaults to the API server."),
    expirationSeconds=f(I64, "Requested token lifetime; defaults to 1 hour."),
    path=req(STR, "Relative file path of the token."),
)

struct(
    "ClusterTrustBundleProjection",
    "Projects ClusterTrustBundle certificates into a file.",
    name=f(STR, "Select a single bundle by name."),
    signerName=f(STR, "Select bundles by signer name."),
    labelSelector=f(R("LabelSelector"), "Select bundles by label (with signerName)."),
    optional=f(BOOL, "Tolerate missing bundles."),
    path=req(STR, "Relative file path of the bundle."),
)

struct(
    "VolumeProjection",
    "One source of a projected volume; exactly one field is set.",
    secret=f(R("SecretProjection"), "Secret to project."),
    downwardAPI=f(R("DownwardAPIProjection"), "Downward API files to project."),
    configMap=f(R("ConfigMapProjection"), "ConfigMap to project."),
    serviceAccountToken=f(R("ServiceAccountTokenProjection"), "Service account token to project."),
    clusterTrustBundle=f(R("ClusterTrustBundleProjection"), "ClusterTrustBundle certificates to project."),
)

struct(
    "ProjectedVolumeSource",
    "Combines several volume sources into one directory.",
    sources=f(Arr(R("VolumeProjection")), "Sources to combine."),
    defaultMode=f(I32, "Default file permission bits."),
)

struct(
    "PortworxVolumeSource",
    "A Portworx volume (deprecated in-tree driver).",
    volumeID=req(STR, "Portworx volume ID."),
    fsType=f(STR, "Filesystem type."),
    readOnly=f(BOOL, "Mount read-only."),
)

_SCALEIO = dict(
    gateway=req(STR, "ScaleIO API gateway host."),
    system=req(STR, "ScaleIO storage system name."),
    sslEnabled=f(BOOL, "Use SSL to talk to the gateway."),
    protectionDomain=f(STR, "Protection domain of the storage."),
    storagePool=f(STR, "Storage pool of the protection domain."),
    storageMode=f(STR, "ThickProvisioned or ThinProvisioned."),
    volumeName=f(STR, "Name of an existing ScaleIO volume."),
    fsType=f(STR, "Filesystem type."),
    readOnly=f(BOOL, "Mount read-only."),
)
struct(
    "ScaleIOVolumeSource",
    "A ScaleIO volume (removed driver, kept for decoding).",
    **_SCALEIO,
    secretRef=req(R("LocalObjectReference"), "Secret with ScaleIO credentials."),
)
struct(
    "ScaleIOPersistentVolumeSource",
    "A ScaleIO volume used by a PersistentVolume.",
    **_SCALEIO,
    secretRef=req(R("SecretReference"), "Secret with ScaleIO credentials."),
)

_STORAGEOS = dict(
    volumeName=f(STR, "StorageOS volume name."),
    volumeNamespace=f(STR, "StorageOS namespace of the volume."),
    fsType=f(STR, "Filesystem type."),
    readOnly=f(BOOL, "Mount read-only."),
)
struct("StorageOSVolumeSource", "A StorageOS volume (removed driver).", **_STORAGEOS, secretRef=f(R("LocalObjectReference"), "Secret with StorageOS credentials."))
struct(
    "StorageOSPersistentVolumeSource",
    "A StorageOS volume used by a PersistentVolume.",
    **_STORAGEOS,
    secretRef=f(R("ObjectReference"), "Secret with StorageOS credentials."),
)

struct(
    "CSIVolumeSource",
    "An ephemeral inline volume provided by a CSI driver.",
    driver=req(STR, "Name of the CSI driver."),
    readOnly=f(BOOL, "Mount read-only."),
    fsType=f(STR, "Filesystem type."),
    volumeAttributes=f(STRMAP, "Driver-specific properties."),
    nodePublishSecretRef=f(R("LocalObjectReference"), "Secret passed to NodePublishVolume calls."),
)

struct(
    "CSIPersistentVolumeSource",
    "Storage managed by an external CSI driver.",
    driver=req(STR, "Name of the CSI driver."),
    volumeHandle=req(STR, "Unique volume name returned by the driver."),
    readOnly=f(BOOL, "Publish read-only."),
    fsType=f(STR, "Filesystem type."),
    volumeAttributes=f(STRMAP, "Driver-specific volume attributes."),
    controllerPublishSecretRef=f(R("SecretReference"), "Secret for ControllerPublishVolume calls."),
    nodeStageSecretRef=f(R("SecretReference"), "Secret for NodeStageVolume calls."),
    nodePublishSecretRef=f(R("SecretReference"), "Secret for NodePublishVolume calls."),
    controllerExpandSecretRef=f(R("SecretReference"), "Secret for ControllerExpandVolume calls."),
    nodeExpandSecretRef=f(R("SecretReference"), "Secret for NodeExpandVolume calls."),
)

struct(
    "PersistentVolumeClaimTemplate",
    "Template of the claim created for a generic ephemeral volume.",
    metadata=f(R("ObjectMeta"), "Labels and annotations copied to the created claim."),
    spec=req(R("PersistentVolumeClaimSpec"), "Spec of the created claim."),
)

struct(
    "EphemeralVolumeSource",
    "A generic ephemeral volume backed by a per-pod PersistentVolumeClaim.",
    volumeClaimTemplate=f(R("PersistentVolumeClaimTemplate"), "Template for the claim created for the pod."),
)

struct(
    "ImageVolumeSource",
    "An OCI image or artifact mounted read-only.",
    reference=f(STR, "Image or artifact reference to pull."),
    pullPolicy=f(STR, "Always, Never or IfNotPresent."),
)

struct(
    "LocalVolumeSource",
    "A local disk, partition or directory on a node.",
    path=req(STR, "Full path of the volume on the node."),
    fsType=f(STR, "Filesystem type for block devices."),
)

struct(
    "Volume",
    "A named volume that the pod's containers may mount; exactly one source should be set.",
    name=req(STR, "Name of the volume, a DNS label unique within the pod."),
    hostPath=f(R("HostPathVolumeSource"), "A file or directory on the host."),
    emptyDir=f(R("EmptyDirVolumeSource"), "A temporary directory sharing the pod's lifetime."),
    gcePersistentDisk=f(R("GCEPersistentDiskVolumeSource"), "A GCE persistent disk."),
    awsElasticBlockStore=f(R("AWSElasticBlockStoreVolumeSource"), "An AWS EBS volume."),
    gitRepo=f(R("GitRepoVolumeSource"), "A git repository (deprecated)."),
    secret=f(R("SecretVolumeSource"), "A Secret."),
    nfs=f(R("NFSVolumeSource"), "An NFS export."),
    iscsi=f(R("ISCSIVolumeSource"), "An iSCSI disk."),
    glusterfs=f(R("GlusterfsVolumeSource"), "A GlusterFS mount."),
    persistentVolumeClaim=f(R("PersistentVolumeClaimVolumeSource"), "A PersistentVolumeClaim in the pod's namespace."),
    rbd=f(R("RBDVolumeSource"), "A Ceph RBD image."),
    flexVolume=f(R("FlexVolumeSource"), "A FlexVolume driver volume."),
    cinder=f(R("CinderVolumeSource"), "An OpenStack Cinder volume."),
    cephfs=f(R("CephFSVolumeSource"), "A CephFS mount."),
    flocker=f(R("FlockerVolumeSource"), "A Flocker dataset."),
    downwardAPI=f(R("DownwardAPIVolumeSource"), "Pod metadata exposed as files."),
    fc=f(R("FCVolumeSource"), "A Fibre Channel disk."),
    azureFile=f(R("AzureFileVolumeSource"), "An Azure File share."),
    configMap=f(R("ConfigMapVolumeSource"), "A ConfigMap."),
    vsphereVolume=f(R("VsphereVirtualDiskVolumeSource"), "A vSphere volume."),
    quobyte=f(R("QuobyteVolumeSource"), "A Quobyte mount."),
    azureDisk=f(R("AzureDiskVolumeSource"), "An Azure data disk."),
    photonPersistentDisk=f(R("PhotonPersistentDiskVolumeSource"), "A Photon persistent disk."),
    projected=f(R("ProjectedVolumeSource"), "Several sources combined in one directory."),
    portworxVolume=f(R("PortworxVolumeSource"), "A Portworx volume."),
    scaleIO=f(R("ScaleIOVolumeSource"), "A ScaleIO volume."),
    storageos=f(R("StorageOSVolumeSource"), "A StorageOS volume."),
    csi=f(R("CSIVolumeSource"), "An ephemeral volume from a CSI driver."),
    ephemeral=f(R("EphemeralVolumeSource"), "A generic ephemeral volume backed by a per-pod claim."),
    image=f(R("ImageVolumeSource"), "An OCI image mounted read-only."),
)

# ---------------------------------------------------------------------------
# core/v1: Pod
# ---------------------------------------------------------------------------

struct(
    "PodSpec",
    "Desired state of a pod.",
    volumes=f(Arr(R("Volume")), "Volumes that containers in the pod can mount.", merge_key="name", strategy="merge,retainKeys"),
    initContainers=f(Arr(R("Container")), "Containers run to completion, in order, before the app containers start.", merge_key="name"),
    containers=req(Arr(R("Container")), "Application containers of the pod; at least one.", merge_key="name"),
    ephemeralContainers=f(Arr(R("EphemeralContainer")), "Debug containers added to a running pod.", merge_key="name"),
    restartPolicy=f(STR, "Always, OnFailure or Never; defaults to Always."),
    terminationGracePeriodSeconds=f(I64, "Seconds given to the pod to shut down gracefully; defaults to 30."),
    activeDeadlineSeconds=f(I64, "Seconds the pod may be active before it is failed."),
    dnsPolicy=f(STR, "ClusterFirst, ClusterFirstWithHostNet, Default or None."),
    nodeSelector=f(STRMAP, "Labels a node must have for the pod to be scheduled there."),
    serviceAccountName=f(STR, "ServiceAccount the pod runs as."),
    serviceAccount=f(STR, "Deprecated alias of serviceAccountName."),
    automountServiceAccountToken=f(BOOL, "Whether to mount the service account token automatically."),
    nodeName=f(STR, "Node the pod is bound to; set by the scheduler or directly."),
    hostNetwork=f(BOOL, "Use the node's network namespace."),
    hostPID=f(BOOL, "Use the node's PID namespace."),
    hostIPC=f(BOOL, "Use the node's IPC namespace."),
    shareProcessNamespace=f(BOOL, "Share one PID namespace between all containers of the pod."),
    securityContext=f(R("PodSecurityContext"), "Pod-level security attributes."),
    imagePullSecrets=f(Arr(R("LocalObjectReference")), "Secrets used to pull images.", merge_key="name"),
    hostname=f(STR, "Hostname of the pod; defaults to a system-defined value."),
    subdomain=f(STR, "Subdomain giving the pod an FQDN of hostname.subdomain.namespace.svc.<domain>."),
    affinity=f(R("Affinity"), "Scheduling affinity rules."),
    schedulerName=f(STR, "Scheduler that dispatches the pod."),
    tolerations=f(Arr(R("Toleration")), "Taints the pod tolerates."),
    hostAliases=f(Arr(R("HostAlias")), "Extra entries for the pod's /etc/hosts.", merge_key="ip"),
    priorityClassName=f(STR, "PriorityClass of the pod."),
    priority=f(I32, "Resolved priority value, filled from priorityClassName."),
    dnsConfig=f(R("PodDNSConfig"), "Extra DNS parameters."),
    readinessGates=f(Arr(R("PodReadinessGate")), "Extra conditions evaluated for pod readiness."),
    runtimeClassName=f(STR, "RuntimeClass used to run the pod."),
    enableServiceLinks=f(BOOL, "Inject Docker-link style service environment variables; defaults to true."),
    preemptionPolicy=f(STR, "Never or PreemptLowerPriority."),
    overhead=f(RESOURCES, "Resource overhead of the pod's RuntimeClass."),
    topologySpreadConstraints=f(
        Arr(R("TopologySpreadConstraint")),
        "How pods are spread across topology domains.",
        merge_key="topologyKey",
    ),
    setHostnameAsFQDN=f(BOOL, "Set the pod's hostname to its FQDN."),
    os=f(R("PodOS"), "Operating system the pod targets."),
    hostUsers=f(BOOL, "Use the host user namespace; false creates a new one."),
    schedulingGates=f(Arr(R("PodSchedulingGate")), "Gates that block scheduling until removed.", merge_key="name"),
    resourceClaims=f(
        Arr(R("PodResourceClaim")),
        "Dynamic resource claims the pod needs.",
        merge_key="name",
        strategy="merge,retainKeys",
    ),
    resources=f(R("ResourceRequirements"), "Pod-level resource requests and limits."),
)

struct(
    "PodTemplateSpec",
    "Template from which pods are created.",
    metadata=f(R("ObjectMeta"), "Metadata given to created pods."),
    spec=req(R("PodSpec"), "Spec of created pods."),
)

struct(
    "PodCondition",
    "One aspect of a pod's state.",
    type=req(STR, "Condition type, e.g. PodScheduled, Initialized, ContainersReady, Ready."),
    observedGeneration=f(I64, "The pod generation the condition was set for."),
    status=req(STR, "True, False or Unknown."),
    lastProbeTime=f(TIME, "Last time the condition was probed."),
    lastTransitionTime=f(TIME, "Last time the status changed."),
    reason=f(STR, "CamelCase reason for the last transition."),
    message=f(STR, "Human-readable details."),
)

struct("PodIP", "An IP address allocated to the pod.", ip=req(STR, "The IP address."))
struct("HostIP", "An IP address of the pod's node.", ip=req(STR, "The IP address."))

struct(
    "ContainerStateWaiting",
    "A container that has not started yet.",
    reason=f(STR, "Why the container is waiting, e.g. ContainerCreating or CrashLoopBackOff."),
    message=f(STR, "Details of why the container is waiting."),
)

struct(
    "ContainerStateRunning",
    "A running container.",
    startedAt=f(TIME, "When the container last (re)started."),
)

struct(
    "ContainerStateTerminated",
    "A container that has exited.",
    exitCode=req(I32, "Exit status of the last termination."),
    signal=f(I32, "Signal of the last termination."),
    reason=f(STR, "Brief reason for the termination, e.g. Completed or OOMKilled."),
    message=f(STR, "Details of the termination."),
    startedAt=f(TIME, "When the execution started."),
    finishedAt=f(TIME, "When the execution ended."),
    containerID=f(STR, "Container ID in the form <type>://<id>."),
)

struct(
    "ContainerState",
    "State of a container; at most one member is set.",
    waiting=f(R("ContainerStateWaiting"), "Details of a waiting container."),
    running=f(R("ContainerStateRunning"), "Details of a running container."),
    terminated=f(R("ContainerStateTerminated"), "Details of a terminated container."),
)

struct(
    "VolumeMountStatus",
    "Observed state of a volume mount.",
    name=req(STR, "Name of the volume mount."),
    mountPath=req(STR, "Path of the mount inside the container."),
    readOnly=f(BOOL, "Whether the mount is read-only."),
    recursiveReadOnly=f(STR, "Observed recursive read-only mode: Disabled or Enabled."),
)

struct(
    "LinuxContainerUser",
    "Linux identity of a container's first process.",
    uid=req(I64, "Primary UID."),
    gid=req(I64, "Primary GID."),
    supplementalGroups=f(Arr(I64), "Supplementary GIDs."),
)

struct(
    "ContainerUser",
    "Identity of a container's first process.",
    linux=f(R("LinuxContainerUser"), "Linux identity."),
)

struct(
    "ResourceHealth",
    "Health of one allocated device.",
    resourceID=req(STR, "Unique identifier of the device."),
    health=f(STR, "Healthy, Unhealthy or Unknown."),
)

struct(
    "ResourceStatus",
    "Health of the devices allocated for one resource.",
    name=req(STR, "Resource name, as in limits/requests or claim:<name>/<request>."),
    resources=f(Arr(R("ResourceHealth")), "Per-device health.", merge_key="resourceID"),
)

struct(
    "ContainerStatus",
    "Observed state of one container.",
    name=req(STR, "Name of the container."),
    state=f(R("ContainerState"), "Current state."),
    lastState=f(R("ContainerState"), "State of the previous termination, if any."),
    ready=f(BOOL, "Whether the container passes its readiness probe."),
    restartCount=f(I32, "Number of times the container restarted."),
    image=f(STR, "Image the container is running."),
    imageID=f(STR, "Resolved image ID."),
    containerID=f(STR, "Container ID in the form <type>://<id>."),
    started=f(BOOL, "Whether the container started and passed its startup probe."),
    allocatedResources=f(RESOURCES, "Resources the node allocated to the container."),
    resources=f(R("ResourceRequirements"), "Resources actually configured for the running container."),
    volumeMounts=f(Arr(R("VolumeMountStatus")), "Status of the volume mounts.", merge_key="mountPath"),
    user=f(R("ContainerUser"), "Identity of the first process."),
    allocatedResourcesStatus=f(Arr(R("ResourceStatus")), "Health of allocated devices.", merge_key="name"),
    stopSignal=f(STR, "Effective stop signal of the container."),
)

struct(
    "PodResourceClaimStatus",
    "Name of the ResourceClaim generated for a pod resource claim.",
    name=req(STR, "Name of the entry in spec.resourceClaims."),
    resourceClaimName=f(STR, "Name of the generated ResourceClaim."),
)

struct(
    "PodStatus",
    "Observed state of a pod.",
    observedGeneration=f(I64, "The pod generation this status reflects."),
    phase=f(STR, "Pending, Running, Succeeded, Failed or Unknown."),
    conditions=f(Arr(R("PodCondition")), "Current service state of the pod.", merge_key="type"),
    message=f(STR, "Human-readable reason the pod is in this state."),
    reason=f(STR, "Brief CamelCase reason, e.g. Evicted."),
    nominatedNodeName=f(STR, "Node the pod may be scheduled to once preemption finishes."),
    hostIP=f(STR, "Primary IP of the node the pod runs on."),
    hostIPs=f(Arr(R("HostIP")), "IPs of the node the pod runs on.", merge_key="ip"),
    podIP=f(STR, "Primary IP address allocated to the pod."),
    podIPs=f(Arr(R("PodIP")), "IP addresses allocated to the pod.", merge_key="ip"),
    startTime=f(TIME, "When the kubelet acknowledged the pod."),
    initContainerStatuses=f(Arr(R("ContainerStatus")), "Status of each init container."),
    containerStatuses=f(Arr(R("ContainerStatus")), "Status of each application container."),
    qosClass=f(STR, "Quality of service class: Guaranteed, Burstable or BestEffort."),
    ephemeralContainerStatuses=f(Arr(R("ContainerStatus")), "Status of each ephemeral container."),
    resize=f(STR, "Status of a requested in-place resize (deprecated)."),
    resourceClaimStatuses=f(
        Arr(R("PodResourceClaimStatus")),
        "Generated ResourceClaim names.",
        merge_key="name",
        strategy="merge,retainKeys",
    ),
)

# ---------------------------------------------------------------------------
# core/v1: ReplicationController
# ---------------------------------------------------------------------------

struct(
    "ReplicationControllerSpec",
    "Desired state of a replication controller.",
    replicas=f(I32, "Desired number of pods; defaults to 1."),
    minReadySeconds=f(I32, "Seconds a new pod must be ready before it counts as available."),
    selector=f(STRMAP, "Label query over the pods it manages; defaults to the template labels."),
    template=req(R("PodTemplateSpec"), "Template of the pods it creates."),
)

struct(
    "ReplicationControllerCondition",
    "One aspect of a replication controller's state.",
    type=req(STR, "Condition type."),
    status=req(STR, "True, False or Unknown."),
    lastTransitionTime=f(TIME, "Last time the status changed."),
    reason=f(STR, "Reason for the last transition."),
    message=f(STR, "Human-readable details."),
)

struct(
    "ReplicationControllerStatus",
    "Observed state of a replication controller.",
    replicas=f(I32, "Most recently observed number of pods."),
    fullyLabeledReplicas=f(I32, "Pods whose labels match the template's labels."),
    readyReplicas=f(I32, "Pods that are ready."),
    availableReplicas=f(I32, "Pods that have been ready for minReadySeconds."),
    observedGeneration=f(I64, "Generation most recently observed by the controller."),
    conditions=f(Arr(R("ReplicationControllerCondition")), "Latest observations.", merge_key="type"),
)

# ---------------------------------------------------------------------------
# core/v1: Service and Endpoints
# ---------------------------------------------------------------------------

struct(
    "ServicePort",
    "A port a service exposes.",
    name=f(STR, "Port name; required when there is more than one port."),
    protocol=f(STR, "TCP, UDP or SCTP; defaults to TCP."),
    appProtocol=f(STR, "Application protocol hint, e.g. http or kubernetes.io/h2c."),
    port=req(I32, "Port the service listens on."),
    targetPort=f(IOS, "Port number or named container port on the pods; defaults to port."),
    nodePort=f(I32, "Port on every node for NodePort and LoadBalancer services."),
)

struct("ClientIPConfig", "Client-IP session affinity settings.", timeoutSeconds=f(I32, "Sticky session lifetime in seconds (1-86400)."))

struct(
    "SessionAffinityConfig",
    "Session affinity settings.",
    clientIP=f(R("ClientIPConfig"), "Settings for ClientIP affinity."),
)

struct(
    "ServiceSpec",
    "Desired state of a service.",
    ports=f(Arr(R("ServicePort")), "Ports exposed by the service.", merge_key="port"),
    selector=f(STRMAP, "Routes traffic to pods with these labels; omit to manage endpoints yourself."),
    clusterIP=f(STR, "Virtual IP of the service; None makes it headless."),
    clusterIPs=f(Arr(STR), "Virtual IPs of the service, one per IP family."),
    type=f(STR, "ClusterIP, NodePort, LoadBalancer or ExternalName."),
    externalIPs=f(Arr(STR), "Extra IPs nodes accept traffic for on behalf of the service."),
    sessionAffinity=f(STR, "ClientIP or None."),
    loadBalancerIP=f(STR, "Requested load balancer IP (deprecated)."),
    loadBalancerSourceRanges=f(Arr(STR), "Client CIDRs allowed through the load balancer."),
    externalName=f(STR, "DNS name returned as a CNAME for ExternalName services."),
    externalTrafficPolicy=f(STR, "Cluster or Local routing of external traffic."),
    healthCheckNodePort=f(I32, "Node port used for load balancer health checks."),
    publishNotReadyAddresses=f(BOOL, "Publish endpoints of pods that are not ready."),
    sessionAffinityConfig=f(R("SessionAffinityConfig"), "Session affinity settings."),
    ipFamilies=f(Arr(STR), "IP families assigned to the service: IPv4 and/or IPv6."),
    ipFamilyPolicy=f(STR, "SingleStack, PreferDualStack or RequireDualStack."),
    allocateLoadBalancerNodePorts=f(BOOL, "Allocate node ports for LoadBalancer services; defaults to true."),
    loadBalancerClass=f(STR, "Load balancer implementation to use."),
    internalTrafficPolicy=f(STR, "Cluster or Local routing of in-cluster traffic."),
    trafficDistribution=f(STR, "Preference for how traffic is spread, e.g. PreferClose."),
)

struct(
    "PortStatus",
    "Status of one load balancer port.",
    port=req(I32, "Port number."),
    protocol=req(STR, "TCP, UDP or SCTP."),
    error=f(STR, "CamelCase problem with the port, if any."),
)

struct(
    "LoadBalancerIngress",
    "An ingress point of a load balancer.",
    ip=f(STR, "IP of the ingress point."),
    hostname=f(STR, "DNS name of the ingress point."),
    ipMode=f(STR, "VIP or Proxy."),
    ports=f(Arr(R("PortStatus")), "Per-port status."),
)

struct(
    "LoadBalancerStatus",
    "Status of a load balancer.",
    ingress=f(Arr(R("LoadBalancerIngress")), "Ingress points of the load balancer."),
)

struct(
    "ServiceStatus",
    "Observed state of a service.",
    loadBalancer=f(R("LoadBalancerStatus"), "Load balancer status, if any."),
    conditions=f(Arr(R("Condition")), "Current conditions of the service.", merge_key="type"),
)

struct(
    "EndpointAddress",
    "A single endpoint IP.",
    ip=req(STR, "IP address of the endpoint."),
    hostname=f(STR, "Hostname of the endpoint."),
    nodeName=f(STR, "Node hosting the endpoint."),
    targetRef=f(R("ObjectReference"), "Object backing the endpoint, usually a Pod."),
)

struct(
    "EndpointPort",
    "A port of an Endpoints subset.",
    name=f(STR, "Port name; must match the service port name."),
    port=req(I32, "Port number."),
    protocol=f(STR, "TCP, UDP or SCTP."),
    appProtocol=f(STR, "Application protocol of the port."),
)

struct(
    "EndpointSubset",
    "A group of addresses sharing a set of ports.",
    addresses=f(Arr(R("EndpointAddress")), "Ready addresses."),
    notReadyAddresses=f(Arr(R("EndpointAddress")), "Addresses that are not ready yet."),
    ports=f(Arr(R("EndpointPort")), "Ports available on the addresses."),
)

# ---------------------------------------------------------------------------
# core/v1: Node
# ---------------------------------------------------------------------------

struct(
    "Taint",
    "Repels pods that do not tolerate it.",
    key=req(STR, "Taint key."),
    value=f(STR, "Taint value."),
    effect=req(STR, "NoSchedule, PreferNoSchedule or NoExecute."),
    timeAdded=f(TIME, "When a NoExecute taint was added."),
)

struct(
    "ConfigMapNodeConfigSource",
    "ConfigMap holding dynamic kubelet configuration (deprecated).",
    namespace=req(STR, "Namespace of the ConfigMap."),
    name=req(STR, "Name of the ConfigMap."),
    uid=f(STR, "UID of the ConfigMap."),
    resourceVersion=f(STR, "resourceVersion of the ConfigMap."),
    kubeletConfigKey=req(STR, "Key holding the KubeletConfiguration."),
)

struct(
    "NodeConfigSource",
    "Source of dynamic node configuration (deprecated).",
    configMap=f(R("ConfigMapNodeConfigSource"), "ConfigMap source."),
)

struct(
    "NodeSpec",
    "Desired state of a node.",
    podCIDR=f(STR, "Pod IP range assigned to the node."),
    podCIDRs=f(Arr(STR), "Pod IP ranges assigned to the node, one per IP family.", strategy="merge"),
    providerID=f(STR, "Cloud provider ID of the node."),
    unschedulable=f(BOOL, "Mark the node unschedulable (cordon)."),
    taints=f(Arr(R("Taint")), "Taints of the node."),
    configSource=f(R("NodeConfigSource"), "Deprecated dynamic kubelet config source."),
    externalID=f(STR, "Deprecated external ID of the node."),
)

struct(
    "NodeCondition",
    "One aspect of a node's state.",
    type=req(STR, "Condition type, e.g. Ready, MemoryPressure, DiskPressure."),
    status=req(STR, "True, False or Unknown."),
    lastHeartbeatTime=f(TIME, "Last time the condition was refreshed."),
    lastTransitionTime=f(TIME, "Last time the status changed."),
    reason=f(STR, "Reason for the last transition."),
    message=f(STR, "Human-readable details."),
)

struct(
    "NodeAddress",
    "An address of a node.",
    type=req(STR, "Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS."),
    address=req(STR, "The address."),
)

struct("DaemonEndpoint", "A port a node daemon listens on.", Port=req(I32, "Port number."))

struct(
    "NodeDaemonEndpoints",
    "Ports of daemons running on the node.",
    kubeletEndpoint=f(R("DaemonEndpoint"), "Port the kubelet listens on."),
)

struct("NodeSwapStatus", "Swap memory of a node.", capacity=f(I64, "Total swap in bytes."))

struct(
    "NodeSystemInfo",
    "Identifying information about a node.",
    machineID=f(STR, "Machine ID reported by the node."),
    systemUUID=f(STR, "System UUID reported by the node."),
    bootID=f(STR, "Boot ID reported by the node."),
    kernelVersion=f(STR, "Kernel version."),
    osImage=f(STR, "OS image, e.g. Debian GNU/Linux 12."),
    containerRuntimeVersion=f(STR, "Container runtime and version, e.g. containerd://1.7.0."),
    kubeletVersion=f(STR, "Kubelet version."),
    kubeProxyVersion=f(STR, "Deprecated kube-proxy version."),
    operatingSystem=f(STR, "Operating system, e.g. linux."),
    architecture=f(STR, "CPU architecture, e.g. amd64."),
    swap=f(R("NodeSwapStatus"), "Swap memory information."),
)

struct(
    "ContainerImage",
    "An image cached on a node.",
    names=f(Arr(STR), "Names (tags and digests) of the image."),
    sizeBytes=f(I64, "Size of the image in bytes."),
)

struct(
    "AttachedVolume",
    "A volume attached to a node.",
    name=req(STR, "Name of the attached volume."),
    devicePath=req(STR, "Device path where the volume is available."),
)

struct(
    "NodeConfigStatus",
    "Status of dynamic kubelet config (deprecated).",
    assigned=f(R("NodeConfigSource"), "Config the node should use."),
    active=f(R("NodeConfigSource"), "Config the node is using."),
    lastKnownGood=f(R("NodeConfigSource"), "Config the node falls back to."),
    error=f(STR, "Problems reconciling the config."),
)

struct(
    "NodeRuntimeHandlerFeatures",
    "Features supported by a runtime handler.",
    recursiveReadOnlyMounts=f(BOOL, "Supports recursive read-only mounts."),
    userNamespaces=f(BOOL, "Supports user namespaces."),
)

struct(
    "NodeRuntimeHandler",
    "A runtime handler available on the node.",
    name=f(STR, "Handler name; empty is the default handler."),
    features=f(R("NodeRuntimeHandlerFeatures"), "Supported features."),
)

struct(
    "NodeFeatures",
    "Optional features implemented by the node.",
    supplementalGroupsPolicy=f(BOOL, "Supports the pod supplementalGroupsPolicy field."),
)

struct(
    "NodeStatus",
    "Observed state of a node.",
    capacity=f(RESOURCES, "Total resources of the node."),
    allocatable=f(RESOURCES, "Resources available for scheduling."),
    phase=f(STR, "Deprecated lifecycle phase of the node."),
    conditions=f(Arr(R("NodeCondition")), "Current conditions of the node.", merge_key="type"),
    addresses=f(Arr(R("NodeAddress")), "Addresses reachable to the node.", merge_key="type"),
    daemonEndpoints=f(R("NodeDaemonEndpoints"), "Ports of daemons on the node."),
    nodeInfo=f(R("NodeSystemInfo"), "General information about the node."),
    images=f(Arr(R("ContainerImage")), "Images cached on the node."),
    volumesInUse=f(Arr(STR), "Volumes in use (mounted) by the node."),
    volumesAttached=f(Arr(R("AttachedVolume")), "Volumes attached to the node."),
    config=f(R("NodeConfigStatus"), "Dynamic kubelet config status (deprecated)."),
    runtimeHandlers=f(Arr(R("NodeRuntimeHandler")), "Available runtime handlers."),
    features=f(R("NodeFeatures"), "Optional features the node implements."),
)

# ---------------------------------------------------------------------------
# core/v1: Namespace
# ---------------------------------------------------------------------------

struct(
    "NamespaceSpec",
    "Desired state of a namespace.",
    finalizers=f(Arr(STR), "Values that must be cleared before the namespace is removed."),
)

struct(
    "NamespaceCondition",
    "One aspect of a namespace's state.",
    type=req(STR, "Condition type."),
    status=req(STR, "True, False or Unknown."),
    lastTransitionTime=f(TIME, "Last time the status changed."),
    reason=f(STR, "Reason for the last transition."),
    message=f(STR, "Human-readable details."),
)

struct(
    "NamespaceStatus",
    "Observed state of a namespace.",
    phase=f(STR, "Active or Terminating."),
    conditions=f(Arr(R("NamespaceCondition")), "Latest observations.", merge_key="type"),
)

# ---------------------------------------------------------------------------
# core/v1: PersistentVolume / PersistentVolumeClaim
# ---------------------------------------------------------------------------

struct(
    "VolumeNodeAffinity",
    "Nodes a persistent volume can be accessed from.",
    required=f(R("NodeSelector"), "Hard node constraint."),
)

struct(
    "PersistentVolumeSpec",
    "Desired state of a persistent volume; exactly one volume source should be set.",
    capacity=f(RESOURCES, "Capacity of the volume, e.g. storage: 10Gi."),
    gcePersistentDisk=f(R("GCEPersistentDiskVolumeSource"), "A GCE persistent disk."),
    awsElasticBlockStore=f(R("AWSElasticBlockStoreVolumeSource"), "An AWS EBS volume."),
    hostPath=f(R("HostPathVolumeSource"), "A directory on a node (single-node testing only)."),
    glusterfs=f(R("GlusterfsPersistentVolumeSource"), "A GlusterFS mount."),
    nfs=f(R("NFSVolumeSource"), "An NFS export."),
    rbd=f(R("RBDPersistentVolumeSource"), "A Ceph RBD image."),
    iscsi=f(R("ISCSIPersistentVolumeSource"), "An iSCSI disk."),
    cinder=f(R("CinderPersistentVolumeSource"), "An OpenStack Cinder volume."),
    cephfs=f(R("CephFSPersistentVolumeSource"), "A CephFS mount."),
    fc=f(R("FCVolumeSource"), "A Fibre Channel disk."),
    flocker=f(R("FlockerVolumeSource"), "A Flocker dataset."),
    flexVolume=f(R("FlexPersistentVolumeSource"), "A FlexVolume driver volume."),
    azureFile=f(R("AzureFilePersistentVolumeSource"), "An Azure File share."),
    vsphereVolume=f(R("VsphereVirtualDiskVolumeSource"), "A vSphere volume."),
    quobyte=f(R("QuobyteVolumeSource"), "A Quobyte mount."),
    azureDisk=f(R("AzureDiskVolumeSource"), "An Azure data disk."),
    photonPersistentDisk=f(R("PhotonPersistentDiskVolumeSource"), "A Photon persistent disk."),
    portworxVolume=f(R("PortworxVolumeSource"), "A Portworx volume."),
    scaleIO=f(R("ScaleIOPersistentVolumeSource"), "A ScaleIO volume."),
    local=f(R("LocalVolumeSource"), "A local disk or directory on a node."),
    storageos=f(R("StorageOSPersistentVolumeSource"), "A StorageOS volume."),
    csi=f(R("CSIPersistentVolumeSource"), "A volume managed by a CSI driver."),
    accessModes=f(Arr(STR), "ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod."),
    claimRef=f(R("ObjectReference"), "The claim bound to this volume."),
    persistentVolumeReclaimPolicy=f(STR, "Retain, Delete or Recycle."),
    storageClassName=f(STR, "StorageClass the volume belongs to."),
    mountOptions=f(Arr(STR), "Mount options used when mounting the volume."),
    volumeMode=f(STR, "Filesystem or Block."),
    nodeAffinity=f(R("VolumeNodeAffinity"), "Nodes the volume can be accessed from."),
    volumeAttributesClassName=f(STR, "VolumeAttributesClass of the volume."),
)

struct(
    "PersistentVolumeStatus",
    "Observed state of a persistent volume.",
    phase=f(STR, "Pending, Available, Bound, Released or Failed."),
    message=f(STR, "Human-readable reason for the phase."),
    reason=f(STR, "Brief CamelCase reason for a failure."),
    lastPhaseTransitionTime=f(TIME, "When the phase last changed."),
)

struct(
    "PersistentVolumeClaimSpec",
    "Desired characteristics of a volume claim.",
    accessModes=f(Arr(STR), "Desired access modes."),
    selector=f(R("LabelSelector"), "Label query over volumes to bind to."),
    resources=f(R("VolumeResourceRequirements"), "Minimum (and maximum) storage required."),
    volumeName=f(STR, "Name of a specific PersistentVolume to bind."),
    storageClassName=f(STR, "StorageClass requested by the claim."),
    volumeMode=f(STR, "Filesystem or Block."),
    dataSource=f(R("TypedLocalObjectReference"), "Object to populate the volume from (snapshot or claim)."),
    dataSourceRef=f(R("TypedObjectReference"), "Object to populate the volume from, including custom populators."),
    volumeAttributesClassName=f(STR, "VolumeAttributesClass requested by the claim."),
)

struct(
    "PersistentVolumeClaimCondition",
    "One aspect of a claim's state.",
    type=req(STR, "Condition type, e.g. Resizing or FileSystemResizePending."),
    status=req(STR, "True, False or Unknown."),
    lastProbeTime=f(TIME, "Last time the condition was probed."),
    lastTransitionTime=f(TIME, "Last time the status changed."),
    reason=f(STR, "Reason for the last transition."),
    message=f(STR, "Human-readable details."),
)

struct(
    "ModifyVolumeStatus",
    "Status of a VolumeAttributesClass change.",
    targetVolumeAttributesClassName=f(STR, "Class being applied."),
    status=req(STR, "Pending, InProgress or Infeasible."),
)

struct(
    "PersistentVolumeClaimStatus",
    "Observed state of a volume claim.",
    phase=f(STR, "Pending, Bound or Lost."),
    accessModes=f(Arr(STR), "Access modes of the bound volume."),
    capacity=f(RESOURCES, "Actual resources of the bound volume."),
    conditions=f(Arr(R("PersistentVolumeClaimCondition")), "Current conditions.", merge_key="type"),
    allocatedResources=f(RESOURCES, "Resources allocated during a resize."),
    allocatedResourceStatuses=f(STRMAP, "Resize status per resource."),
    currentVolumeAttributesClassName=f(STR, "VolumeAttributesClass currently applied."),
    modifyVolumeStatus=f(R("ModifyVolumeStatus"), "Status of an ongoing attributes change."),
)

struct(
    "PersistentVolumeClaim",
    "A claim embedded in another object (e.g. a StatefulSet volumeClaimTemplate).",
    apiVersion=f(STR, "API version; v1 if given."),
    kind=f(STR, "Kind; PersistentVolumeClaim if given."),
    metadata=f(R("ObjectMeta"), "Metadata of the claim."),
    spec=f(R("PersistentVolumeClaimSpec"), "Desired characteristics of the claim."),
    status=f(R("PersistentVolumeClaimStatus"), "Observed state of the claim."),
)

# ---------------------------------------------------------------------------
# core/v1: Event
# ---------------------------------------------------------------------------

struct(
    "EventSource",
    "Component that generated an event.",
    component=f(STR, "Component name."),
    host=f(STR, "Node name."),
)

struct(
    "EventSeries",
    "Data about a series of repeated events.",
    count=f(I32, "Number of occurrences so far."),
    lastObservedTime=f(MICROTIME, "Time of the last occurrence."),
)

# ---------------------------------------------------------------------------
# apps/v1
# ---------------------------------------------------------------------------

struct(
    "RollingUpdateDeployment",
    "Rolling update parameters of a deployment.",
    maxUnavailable=f(IOS, "Pods that may be unavailable during the update (number or percent); defaults to 25%."),
    maxSurge=f(IOS, "Pods that may be created above the desired count (number or percent); defaults to 25%."),
)

struct(
    "DeploymentStrategy",
    "How old pods are replaced by new ones.",
    type=f(STR, "Recreate or RollingUpdate; defaults to RollingUpdate."),
    rollingUpdate=f(R("RollingUpdateDeployment"), "Parameters when type is RollingUpdate."),
)

struct(
    "DeploymentSpec",
    "Desired state of a deployment.",
    replicas=f(I32, "Desired number of pods; defaults to 1."),
    selector=req(R("LabelSelector"), "Label query over pods; must match the template labels."),
    template=req(R("PodTemplateSpec"), "Template of the pods to create."),
    strategy=f(R("DeploymentStrategy"), "How existing pods are replaced by new ones."),
    minReadySeconds=f(I32, "Seconds a new pod must be ready before it counts as available."),
    revisionHistoryLimit=f(I32, "Old ReplicaSets to retain for rollback; defaults to 10."),
    paused=f(BOOL, "Pause the rollout."),
    progressDeadlineSeconds=f(I32, "Seconds before a stalled rollout is reported as failed; defaults to 600."),
)

struct(
    "DeploymentCondition",
    "One aspect of a deployment's state.",
    type=req(STR, "Available, Progressing or ReplicaFailure."),
    status=req(STR, "True, False or Unknown."),
    lastUpdateTime=f(TIME, "Last time the condition was updated."),
    lastTransitionTime=f(TIME, "Last time the status changed."),
    reason=f(STR, "Reason for the last transition."),
    message=f(STR, "Human-readable details."),
)

struct(
    "DeploymentStatus",
    "Observed state of a deployment.",
    observedGeneration=f(I64, "Generation observed by the deployment controller."),
    replicas=f(I32, "Non-terminating pods targeted by the deployment."),
    updatedReplicas=f(I32, "Non-terminating pods that match the current template."),
    readyReplicas=f(I32, "Pods that are ready."),
    availableReplicas=f(I32, "Pods that have been ready for minReadySeconds."),
    unavailableReplicas=f(I32, "Pods still needed for the deployment to be fully available."),
    terminatingReplicas=f(I32, "Pods that are terminating."),
    conditions=f(Arr(R("DeploymentCondition")), "Latest observations.", merge_key="type"),
    collisionCount=f(I32, "Hash collision counter used to name new ReplicaSets."),
)

struct(
    "ReplicaSetSpec",
    "Desired state of a replica set.",
    replicas=f(I32, "Desired number of pods; defaults to 1."),
    minReadySeconds=f(I32, "Seconds a new pod must be ready before it counts as available."),
    selector=req(R("LabelSelector"), "Label query over pods; must match the template labels."),
    template=req(R("PodTemplateSpec"), "Template of the pods to create."),
)

struct(
    "ReplicaSetCondition",
    "One aspect of a replica set's state.",
    type=req(STR, "Condition type, e.g. ReplicaFailure."),
    status=req(STR, "True, False or Unknown."),
    lastTransitionTime=f(TIME, "Last time the status changed."),
    reason=f(STR, "Reason for the last transition."),
    message=f(STR, "Human-readable details."),
)

struct(
    "ReplicaSetStatus",
    "Observed state of a replica set.",
    replicas=f(I32, "Most recently observed number of non-terminating pods."),
    fullyLabeledReplicas=f(I32, "Pods whose labels match the template's labels."),
    readyReplicas=f(I32, "Pods that are ready."),
    availableReplicas=f(I32, "Pods that have been ready for minReadySeconds."),
    terminatingReplicas=f(I32, "Pods that are terminating."),
    observedGeneration=f(I64, "Generation observed by the controller."),
    conditions=f(Arr(R("ReplicaSetCondition")), "Latest observations.", merge_key="type"),
)

struct(
    "RollingUpdateDaemonSet",
    "Rolling update parameters of a daemon set.",
    maxUnavailable=f(IOS, "Daemon pods that may be unavailable during the update; defaults to 1."),
    maxSurge=f(IOS, "Nodes that may run an extra updated pod during the update; defaults to 0."),
)

struct(
    "DaemonSetUpdateStrategy",
    "How daemon pods are replaced.",
    type=f(STR, "RollingUpdate or OnDelete; defaults to RollingUpdate."),
    rollingUpdate=f(R("RollingUpdateDaemonSet"), "Parameters when type is RollingUpdate."),
)

struct(
    "DaemonSetSpec",
    "Desired state of a daemon set.",
    selector=req(R("LabelSelector"), "Label query over pods; must match the template labels."),
    template=req(R("PodTemplateSpec"), "Template of the pod run on each eligible node."),
    updateStrategy=f(R("DaemonSetUpdateStrategy"), "How daemon pods are replaced."),
    minReadySeconds=f(I32, "Seconds a new pod must be ready before it counts as available."),
    revisionHistoryLimit=f(I32, "Old revisions to retain for rollback; defaults to 10."),
)

struct(
    "DaemonSetCondition",
    "One aspect of a daemon set's state.",
    type=req(STR, "Condition type."),
    status=req(STR, "True, False or Unknown."),
    lastTransitionTime=f(TIME, "Last time the status changed."),
    reason=f(STR, "Reason for the last transition."),
    message=f(STR, "Human-readable details."),
)

struct(
    "DaemonSetStatus",
    "Observed state of a daemon set.",
    currentNumberScheduled=f(I32, "Nodes running at least one daemon pod that should."),
    numberMisscheduled=f(I32, "Nodes running a daemon pod that should not."),
    desiredNumberScheduled=f(I32, "Nodes that should run the daemon pod."),
    numberReady=f(I32, "Nodes with a ready daemon pod."),
    observedGeneration=f(I64, "Generation observed by the controller."),
    updatedNumberScheduled=f(I32, "Nodes running the updated daemon pod."),
    numberAvailable=f(I32, "Nodes with an available daemon pod."),
    numberUnavailable=f(I32, "Nodes that should run an available daemon pod but do not."),
    collisionCount=f(I32, "Hash collision counter used to name new revisions."),
    conditions=f(Arr(R("DaemonSetCondition")), "Latest observations.", merge_key="type"),
)

struct(
    "RollingUpdateStatefulSetStrategy",
    "Rolling update parameters of a stateful set.",
    partition=f(I32, "Only pods with an ordinal at or above this are updated."),
    maxUnavailable=f(IOS, "Pods that may be unavailable during the update; defaults to 1."),
)

struct(
    "StatefulSetUpdateStrategy",
    "How stateful set pods are replaced.",
    type=f(STR, "RollingUpdate or OnDelete; defaults to RollingUpdate."),
    rollingUpdate=f(R("RollingUpdateStatefulSetStrategy"), "Parameters when type is RollingUpdate."),
)

struct(
    "StatefulSetPersistentVolumeClaimRetentionPolicy",
    "What happens to claims from volumeClaimTemplates on deletion and scale-down.",
    whenDeleted=f(STR, "Retain or Delete when the stateful set is deleted."),
    whenScaled=f(STR, "Retain or Delete when the stateful set is scaled down."),
)

struct(
    "StatefulSetOrdinals",
    "Numbering of stateful set replicas.",
    start=f(I32, "Index of the first replica; defaults to 0."),
)

struct(
    "StatefulSetSpec",
    "Desired state of a stateful set.",
    replicas=f(I32, "Desired number of pods; defaults to 1."),
    selector=req(R("LabelSelector"), "Label query over pods; must match the template labels."),
    template=req(R("PodTemplateSpec"), "Template of the pods; each gets a stable identity."),
    volumeClaimTemplates=f(Arr(R("PersistentVolumeClaim")), "Claims created for each pod, by name."),
    serviceName=f(STR, "Headless service that gives the pods their network identity."),
    podManagementPolicy=f(STR, "OrderedReady or Parallel; defaults to OrderedReady."),
    updateStrategy=f(R("StatefulSetUpdateStrategy"), "How pods are replaced when the template changes."),
    revisionHistoryLimit=f(I32, "Old revisions to retain; defaults to 10."),
    minReadySeconds=f(I32, "Seconds a new pod must be ready before it counts as available."),
    persistentVolumeClaimRetentionPolicy=f(
        R("StatefulSetPersistentVolumeClaimRetentionPolicy"),
        "Lifecycle of claims created from volumeClaimTemplates.",
    ),
    ordinals=f(R("StatefulSetOrdinals"), "Numbering of replica indices."),
)

struct(
    "StatefulSetCondition",
    "One aspect of a stateful set's state.",
    type=req(STR, "Condition type."),
    status=req(STR, "True, False or Unknown."),
    lastTransitionTime=f(TIME, "Last time the status changed."),
    reason=f(STR, "Reason for the last transition."),
    message=f(STR, "Human-readable details."),
)

struct(
    "StatefulSetStatus",
    "Observed state of a stateful set.",
    observedGeneration=f(I64, "Generation observed by the controller."),
    replicas=f(I32, "Pods created by the controller."),
    readyReplicas=f(I32, "Pods that are ready."),
    currentReplicas=f(I32, "Pods at currentRevision."),
    updatedReplicas=f(I32, "Pods at updateRevision."),
    currentRevision=f(STR, "Revision used for pods in [0, currentReplicas)."),
    updateRevision=f(STR, "Revision used for pods in [replicas-updatedReplicas, replicas)."),
    collisionCount=f(I32, "Hash collision counter used to name new revisions."),
    conditions=f(Arr(R("StatefulSetCondition")), "Latest observations.", merge_key="type"),
    availableReplicas=f(I32, "Pods that have been ready for minReadySeconds."),
)

# ---------------------------------------------------------------------------
# batch/v1
# ---------------------------------------------------------------------------

struct(
    "PodFailurePolicyOnExitCodesRequirement",
    "Matches failed pods by container exit code.",
    containerName=f(STR, "Restrict the check to this container."),
    operator=req(STR, "In or NotIn."),
    values=req(Arr(I32), "Sorted exit codes to compare against."),
)

struct(
    "PodFailurePolicyOnPodConditionsPattern",
    "Matches failed pods by pod condition.",
    type=req(STR, "Pod condition type to match."),
    status=f(STR, "Condition status to match; defaults to True."),
)

struct(
    "PodFailurePolicyRule",
    "What to do with a pod failure matching the requirements.",
    action=req(STR, "FailJob, FailIndex, Ignore or Count."),
    onExitCodes=f(R("PodFailurePolicyOnExitCodesRequirement"), "Requirement on container exit codes."),
    onPodConditions=f(Arr(R("PodFailurePolicyOnPodConditionsPattern")), "Requirement on pod conditions."),
)

struct(
    "PodFailurePolicy",
    "How failed pods influence the job.",
    rules=req(Arr(R("PodFailurePolicyRule")), "Rules evaluated in order; the first match wins."),
)

struct(
    "SuccessPolicyRule",
    "A condition under which an indexed job is declared succeeded.",
    succeededIndexes=f(STR, "Index intervals that must have succeeded, e.g. 1,3-5."),
    succeededCount=f(I32, "Minimum number of succeeded indexes."),
)

struct(
    "SuccessPolicy",
    "When an indexed job may be declared succeeded early.",
    rules=req(Arr(R("SuccessPolicyRule")), "Alternative rules; the first match wins."),
)

struct(
    "JobSpec",
    "Desired behaviour of a job.",
    parallelism=f(I32, "Maximum pods running at the same time."),
    completions=f(I32, "Successful pods needed to complete the job."),
    activeDeadlineSeconds=f(I64, "Seconds the job may run before it is terminated."),
    podFailurePolicy=f(R("PodFailurePolicy"), "How pod failures are handled."),
    successPolicy=f(R("SuccessPolicy"), "When the job may succeed early (Indexed jobs)."),
    backoffLimit=f(I32, "Retries before the job is marked failed; defaults to 6."),
    backoffLimitPerIndex=f(I32, "Retries per index for Indexed jobs."),
    maxFailedIndexes=f(I32, "Failed indexes tolerated before the job fails."),
    selector=f(R("LabelSelector"), "Label query over pods; normally generated."),
    manualSelector=f(BOOL, "Use the given selector instead of a generated one."),
    template=req(R("PodTemplateSpec"), "Template of the pods to run; restartPolicy must be Never or OnFailure."),
    ttlSecondsAfterFinished=f(I32, "Seconds after finishing before the job is deleted."),
    completionMode=f(STR, "NonIndexed or Indexed."),
    suspend=f(BOOL, "Do not create pods while true."),
    podReplacementPolicy=f(STR, "TerminatingOrFailed or Failed."),
    managedBy=f(STR, "Controller responsible for syncing the job."),
)

struct(
    "JobCondition",
    "One aspect of a job's state.",
    type=req(STR, "Complete, Failed, Suspended, FailureTarget or SuccessCriteriaMet."),
    status=req(STR, "True, False or Unknown."),
    lastProbeTime=f(TIME, "Last time the condition was checked."),
    lastTransitionTime=f(TIME, "Last time the status changed."),
    reason=f(STR, "Reason for the last transition."),
    message=f(STR, "Human-readable details."),
)

struct(
    "UncountedTerminatedPods",
    "UIDs of finished pods not yet counted in the job status.",
    succeeded=f(Arr(STR), "UIDs of succeeded pods.", strategy="merge"),
    failed=f(Arr(STR), "UIDs of failed pods.", strategy="merge"),
)

struct(
    "JobStatus",
    "Observed state of a job.",
    conditions=f(Arr(R("JobCondition")), "Latest observations.", merge_key="type"),
    startTime=f(TIME, "When the job controller started processing the job."),
    completionTime=f(TIME, "When the job completed."),
    active=f(I32, "Pending and running pods that are not terminating."),
    succeeded=f(I32, "Pods that reached phase Succeeded."),
    failed=f(I32, "Pods that reached phase Failed."),
    terminating=f(I32, "Pods that are terminating."),
    completedIndexes=f(STR, "Completed indexes of an Indexed job, as intervals."),
    failedIndexes=f(STR, "Failed indexes when backoffLimitPerIndex is set, as intervals."),
    uncountedTerminatedPods=f(R("UncountedTerminatedPods"), "Finished pods not yet counted."),
    ready=f(I32, "Active pods with a Ready condition."),
)

struct(
    "JobTemplateSpec",
    "Template from which jobs are created.",
    metadata=f(R("ObjectMeta"), "Metadata given to created jobs."),
    spec=req(R("JobSpec"), "Spec of created jobs."),
)

struct(
    "CronJobSpec",
    "Desired schedule and job template of a cron job.",
    schedule=req(STR, "Cron schedule, e.g. */5 * * * *."),
    timeZone=f(STR, "IANA time zone for the schedule; defaults to the controller's zone."),
    startingDeadlineSeconds=f(I64, "Seconds after a missed schedule during which the job may still start."),
    concurrencyPolicy=f(STR, "Allow, Forbid or Replace; defaults to Allow."),
    suspend=f(BOOL, "Suspend subsequent executions."),
    jobTemplate=req(R("JobTemplateSpec"), "Template of the jobs to create."),
    successfulJobsHistoryLimit=f(I32, "Successful jobs to keep; defaults to 3."),
    failedJobsHistoryLimit=f(I32, "Failed jobs to keep; defaults to 1."),
)

struct(
    "CronJobStatus",
    "Observed state of a cron job.",
    active=f(Arr(R("ObjectReference")), "Currently running jobs."),
    lastScheduleTime=f(TIME, "Last time a job was scheduled."),
    lastSuccessfulTime=f(TIME, "Last time a job completed successfully."),
)

# ---------------------------------------------------------------------------
# rbac.authorization.k8s.io/v1
# ---------------------------------------------------------------------------

struct(
    "PolicyRule",
    "Actions allowed on a set of resources or non-resource URLs.",
    verbs=req(Arr(STR), "Verbs allowed, e.g. get, list, watch; * means all."),
    apiGroups=f(Arr(STR), "API groups of the resources; empty string is the core group."),
    resources=f(Arr(STR), "Resources the rule applies to; * means all."),
    resourceNames=f(Arr(STR), "Optional allow-list of object names."),
    nonResourceURLs=f(Arr(STR), "Non-resource URL paths, e.g. /healthz (ClusterRoles only)."),
)

struct(
    "AggregationRule",
    "How a ClusterRole's rules are aggregated from other ClusterRoles.",
    clusterRoleSelectors=f(Arr(R("LabelSelector")), "Selectors of the ClusterRoles to aggregate."),
)

struct(
    "Subject",
    "A user, group or service account a binding grants to.",
    kind=req(STR, "User, Group or ServiceAccount."),
    apiGroup=f(STR, "rbac.authorization.k8s.io for users and groups, empty for service accounts."),
    name=req(STR, "Name of the subject."),
    namespace=f(STR, "Namespace of a ServiceAccount subject."),
)

struct(
    "RoleRef",
    "The role a binding grants.",
    apiGroup=req(STR, "API group of the role: rbac.authorization.k8s.io."),
    kind=req(STR, "Role or ClusterRole."),
    name=req(STR, "Name of the role."),
)

# ---------------------------------------------------------------------------
# storage.k8s.io/v1, coordination.k8s.io/v1, discovery.k8s.io/v1
# ---------------------------------------------------------------------------

struct(
    "TopologySelectorLabelRequirement",
    "A topology label match.",
    key=req(STR, "Topology label key."),
    values=req(Arr(STR), "Allowed values of the label."),
)

struct(
    "TopologySelectorTerm",
    "A topology query; requirements are ANDed.",
    matchLabelExpressions=f(Arr(R("TopologySelectorLabelRequirement")), "Label requirements."),
)

struct(
    "LeaseSpec",
    "Desired state of a lease.",
    holderIdentity=f(STR, "Identity of the current holder."),
    leaseDurationSeconds=f(I32, "Seconds candidates wait before forcibly acquiring the lease."),
    acquireTime=f(MICROTIME, "When the current lease was acquired."),
    renewTime=f(MICROTIME, "When the holder last renewed the lease."),
    leaseTransitions=f(I32, "Number of times the holder changed."),
    strategy=f(STR, "Strategy for picking the leader in coordinated leader election."),
    preferredHolder=f(STR, "Signals the current holder to release in favour of this one."),
)

struct(
    "EndpointConditions",
    "Readiness of an endpoint.",
    ready=f(BOOL, "Endpoint is ready to receive traffic."),
    serving=f(BOOL, "Endpoint is serving, even if terminating."),
    terminating=f(BOOL, "Endpoint is terminating."),
)

struct("ForZone", "A zone that should consume an endpoint.", name=req(STR, "Zone name."))
struct("ForNode", "A node that should consume an endpoint.", name=req(STR, "Node name."))

struct(
    "EndpointHints",
    "Topology-aware routing hints.",
    forZones=f(Arr(R("ForZone")), "Zones that should consume the endpoint."),
    forNodes=f(Arr(R("ForNode")), "Nodes that should consume the endpoint."),
)

struct(
    "Endpoint",
    "A single logical backend of an EndpointSlice.",
    addresses=req(Arr(STR), "Addresses of the endpoint, of the slice's address type."),
    conditions=f(R("EndpointConditions"), "Current state of the endpoint."),
    hostname=f(STR, "Hostname of the endpoint."),
    targetRef=f(R("ObjectReference"), "Object backing the endpoint, usually a Pod."),
    deprecatedTopology=f(STRMAP, "Deprecated topology labels."),
    nodeName=f(STR, "Node hosting the endpoint."),
    zone=f(STR, "Zone of the endpoint."),
    hints=f(R("EndpointHints"), "Routing hints."),
)

struct(
    "DiscoveryEndpointPort",
    "A port of an EndpointSlice.",
    name=f(STR, "Port name; must match the service port name."),
    protocol=f(STR, "TCP, UDP or SCTP."),
    port=f(I32, "Port number; empty means all ports."),
    appProtocol=f(STR, "Application protocol of the port."),
)

# ---------------------------------------------------------------------------
# Kinds
# ---------------------------------------------------------------------------

KINDS: list[tuple[str, str, str, str, dict[str, Field]]] = []


def kind(name: str, group: str, version: str, desc: str, /, **fields: Field) -> None:
    KINDS.append((name, group, version, desc, fields))


SPEC = "Desired state of the object."
STATUS = "Most recently observed state; written by controllers."

kind(
    "Pod",
    "",
    "v1",
    "A group of containers scheduled together on a node.",
    spec=req(R("PodSpec"), "Desired state of the pod."),
    status=f(R("PodStatus"), "Observed state of the pod; written by the kubelet."),
)
kind(
    "ReplicationController",
    "",
    "v1",
    "Legacy controller that keeps a fixed number of pod replicas running.",
    spec=req(R("ReplicationControllerSpec"), "Desired state of the replication controller."),
    status=f(R("ReplicationControllerStatus"), STATUS),
)
kind(
    "Service",
    "",
    "v1",
    "A stable virtual IP and DNS name in front of a set of pods.",
    spec=f(R("ServiceSpec"), "Desired behaviour of the service."),
    status=f(R("ServiceStatus"), STATUS),
)
kind(
    "Endpoints",
    "",
    "v1",
    "Legacy list of the network endpoints backing a service.",
    subsets=f(Arr(R("EndpointSubset")), "Groups of addresses and the ports they serve."),
)
kind(
    "Node",
    "",
    "v1",
    "A worker machine in the cluster.",
    spec=f(R("NodeSpec"), "Desired configuration of the node."),
    status=f(R("NodeStatus"), "Observed state of the node; written by the kubelet."),
)
kind(
    "Namespace",
    "",
    "v1",
    "A scope for names of namespaced objects.",
    spec=f(R("NamespaceSpec"), "Desired state of the namespace."),
    status=f(R("NamespaceStatus"), STATUS),
)
kind(
    "Secret",
    "",
    "v1",
    "Holds sensitive data such as passwords, tokens or keys.",
    immutable=f(BOOL, "When true, data cannot be changed after creation."),
    data=f(Map(BYTES), "Secret values, base64 encoded."),
    stringData=f(STRMAP, "Write-only plain-text values merged into data on write."),
    type=f(STR, "Type of the secret, e.g. Opaque or kubernetes.io/tls."),
)
kind(
    "ConfigMap",
    "",
    "v1",
    "Holds non-confidential configuration data as key/value pairs.",
    immutable=f(BOOL, "When true, data cannot be changed after creation."),
    data=f(STRMAP, "UTF-8 configuration values."),
    binaryData=f(Map(BYTES), "Binary configuration values, base64 encoded."),
)
kind(
    "ServiceAccount",
    "",
    "v1",
    "An identity for processes running in pods.",
    secrets=f(Arr(R("ObjectReference")), "Legacy token secrets of the account.", merge_key="name"),
    imagePullSecrets=f(Arr(R("LocalObjectReference")), "Secrets used to pull images for pods using this account."),
    automountServiceAccountToken=f(BOOL, "Whether pods mount the API token automatically."),
)
kind(
    "PersistentVolume",
    "",
    "v1",
    "A piece of storage provisioned in the cluster.",
    spec=f(R("PersistentVolumeSpec"), "Capacity, source and policy of the volume."),
    status=f(R("PersistentVolumeStatus"), STATUS),
)
kind(
    "PersistentVolumeClaim",
    "",
    "v1",
    "A user's request for persistent storage.",
    spec=f(R("PersistentVolumeClaimSpec"), "Desired characteristics of the requested volume."),
    status=f(R("PersistentVolumeClaimStatus"), STATUS),
)
kind(
    "Event",
    "",
    "v1",
    "A report of something that happened to an object.",
    involvedObject=req(R("ObjectReference"), "Object the event is about."),
    reason=f(STR, "Short machine-readable reason, e.g. Scheduled."),
    message=f(STR, "Human-readable description."),
    source=f(R("EventSource"), "Component that reported the event."),
    firstTimestamp=f(TIME, "When the event was first recorded."),
    lastTimestamp=f(TIME, "When the most recent occurrence was recorded."),
    count=f(I32, "Number of occurrences."),
    type=f(STR, "Normal or Warning."),
    eventTime=f(MICROTIME, "When the event was first observed, with microseconds."),
    series=f(R("EventSeries"), "Data about a series of repeated events."),
    action=f(STR, "Action taken or failed against the object."),
    related=f(R("ObjectReference"), "A secondary object involved."),
    reportingComponent=f(STR, "Controller that emitted the event."),
    reportingInstance=f(STR, "Instance of the controller that emitted the event."),
)

kind(
    "ReplicaSet",
    "apps",
    "v1",
    "Keeps a stable set of pod replicas running.",
    spec=req(R("ReplicaSetSpec"), "Desired state of the replica set."),
    status=f(R("ReplicaSetStatus"), STATUS),
)
kind(
    "Deployment",
    "apps",
    "v1",
    "Declarative updates for pods and replica sets.",
    spec=req(R("DeploymentSpec"), "Desired state of the deployment."),
    status=f(R("DeploymentStatus"), STATUS),
)
kind(
    "DaemonSet",
    "apps",
    "v1",
    "Runs a copy of a pod on every eligible node.",
    spec=req(R("DaemonSetSpec"), "Desired state of the daemon set."),
    status=f(R("DaemonSetStatus"), STATUS),
)
kind(
    "StatefulSet",
    "apps",
    "v1",
    "Manages pods with stable identities and storage.",
    spec=req(R("StatefulSetSpec"), "Desired state of the stateful set."),
    status=f(R("StatefulSetStatus"), STATUS),
)
kind(
    "ControllerRevision",
    "apps",
    "v1",
    "An immutable snapshot of a controller's state, used for rollbacks.",
    data=f(FREE, "Serialized state of the revision."),
    revision=req(I64, "Revision number of the state in data."),
)

kind(
    "Job",
    "batch",
    "v1",
    "Runs pods until a number of them complete successfully.",
    spec=req(R("JobSpec"), "Desired behaviour of the job."),
    status=f(R("JobStatus"), STATUS),
)
kind(
    "CronJob",
    "batch",
    "v1",
    "Creates jobs on a repeating schedule.",
    spec=req(R("CronJobSpec"), "Schedule and job template."),
    status=f(R("CronJobStatus"), STATUS),
)

_RBAC = "rbac.authorization.k8s.io"
kind(
    "Role",
    _RBAC,
    "v1",
    "A namespaced set of permissions.",
    rules=f(Arr(R("PolicyRule")), "Permissions granted by the role."),
)
kind(
    "ClusterRole",
    _RBAC,
    "v1",
    "A cluster-wide set of permissions.",
    rules=f(Arr(R("PolicyRule")), "Permissions granted by the role."),
    aggregationRule=f(R("AggregationRule"), "Builds the rules from other ClusterRoles; the controller owns rules then."),
)
kind(
    "RoleBinding",
    _RBAC,
    "v1",
    "Grants a Role or ClusterRole to subjects within a namespace.",
    subjects=f(Arr(R("Subject")), "Users, groups and service accounts granted the role."),
    roleRef=req(R("RoleRef"), "The role granted; immutable."),
)
kind(
    "ClusterRoleBinding",
    _RBAC,
    "v1",
    "Grants a ClusterRole to subjects cluster-wide.",
    subjects=f(Arr(R("Subject")), "Users, groups and service accounts granted the role."),
    roleRef=req(R("RoleRef"), "The ClusterRole granted; immutable."),
)

kind(
    "StorageClass",
    "storage.k8s.io",
    "v1",
    "A class of dynamically provisioned storage.",
    provisioner=req(STR, "Name of the volume provisioner."),
    parameters=f(STRMAP, "Provisioner-specific parameters."),
    reclaimPolicy=f(STR, "Delete or Retain for provisioned volumes; defaults to Delete."),
    mountOptions=f(Arr(STR), "Mount options of provisioned volumes."),
    allowVolumeExpansion=f(BOOL, "Whether claims of this class may be expanded."),
    volumeBindingMode=f(STR, "Immediate or WaitForFirstConsumer."),
    allowedTopologies=f(Arr(R("TopologySelectorTerm")), "Topologies where volumes may be provisioned."),
)

kind(
    "Lease",
    "coordination.k8s.io",
    "v1",
    "A lightweight lock used for leader election and heartbeats.",
    spec=f(R("LeaseSpec"), "Holder and timing of the lease."),
)

kind(
    "EndpointSlice",
    "discovery.k8s.io",
    "v1",
    "A subset of the endpoints backing a service.",
    addressType=req(STR, "IPv4, IPv6 or FQDN."),
    endpoints=req(Arr(R("Endpoint")), "Endpoints in the slice."),
    ports=f(Arr(R("DiscoveryEndpointPort")), "Ports exposed by every endpoint in the slice."),
)

# ---------------------------------------------------------------------------
# Federation (KubeFed / Federation v2 shapes; see kubelite/federation/)
#
# Groups: core.kubefed.io/v1beta1 (KubeFedCluster), types.kubefed.io/v1beta1
# (Federated<Kind>), scheduling.kubefed.io/v1alpha1 (ReplicaSchedulingPreference),
# multiclusterdns.kubefed.io/v1alpha1 (ServiceDNSRecord).
# ---------------------------------------------------------------------------


class AnyValue:
    """Any JSON value (Go interface{} / apiextensions JSON), e.g. an override's value."""

    def render(self, nullable: bool) -> dict:
        return {}


ANY = AnyValue()
NONNEG64 = Scalar("integer", format="int64", minimum=0)

struct(
    "LocalSecretReference",
    "Names a Secret in the KubeFed system namespace.",
    name=req(STR, "Name of the Secret."),
)
struct(
    "KubeFedClusterSpec",
    "How to reach a member cluster: for kubelite, its state directory.",
    apiEndpoint=req(STR, "The member's state directory: an absolute path or a file:// URL."),
    caBundle=f(BYTES, "Certificate authority data; unused by kubelite (kept for KubeFed compatibility)."),
    secretRef=f(R("LocalSecretReference"), "Secret with the member's credentials; unused by kubelite."),
    disabledTLSValidations=f(Arr(STR), "TLS validations to skip; unused by kubelite."),
    proxyURL=f(STR, "Proxy to reach the member through; unused by kubelite."),
)
struct(
    "ClusterCondition",
    "One aspect of a member cluster's health (Ready, Offline or ClusterConfigMalformed).",
    type=req(STR, "Ready, Offline or ClusterConfigMalformed."),
    status=req(STR, "True, False or Unknown."),
    lastProbeTime=f(TIME, "Last time the condition was found to change."),
    lastTransitionTime=f(TIME, "Last time the status changed."),
    reason=f(STR, "Machine-readable reason, e.g. ClusterReady or ClusterNotReachable."),
    message=f(STR, "Human-readable details."),
)
struct(
    "KubeFedClusterStatus",
    "Observed health of a member cluster; written by the federation controller.",
    conditions=f(Arr(R("ClusterCondition")), "Current conditions of the cluster."),
    zones=f(Arr(STR), "Availability zones of the member's nodes (topology.kubernetes.io/zone)."),
    region=f(STR, "Region of the member's nodes (topology.kubernetes.io/region)."),
)
struct(
    "GenericClusterReference",
    "Names a member cluster.",
    name=req(STR, "Name of the KubeFedCluster."),
)
struct(
    "GenericPlacement",
    "Where a federated object goes: named clusters win over the selector; an empty selector selects every cluster; "
    "neither selects none.",
    clusters=f(Arr(R("GenericClusterReference")), "Member clusters, by name."),
    clusterSelector=f(R("LabelSelector"), "Label query over KubeFedClusters; ignored when clusters is set."),
)
struct(
    "ClusterOverride",
    "One JSON-pointer operation applied to the object for one cluster.",
    op=f(Scalar("string", enum=["add", "remove", "replace", None]), "add, remove or replace (the default)."),
    path=req(STR, "JSON pointer into the object, e.g. /spec/replicas or /spec/template/spec/containers/0/image."),
    value=f(ANY, "The value to add or replace with; ignored for remove."),
)
struct(
    "GenericOverrideItem",
    "Overrides for one member cluster.",
    clusterName=req(STR, "Name of the KubeFedCluster the overrides apply to."),
    clusterOverrides=f(Arr(R("ClusterOverride")), "Operations applied in order."),
)
struct(
    "GenericCondition",
    "A condition of a federated object (type Propagation).",
    type=req(STR, "Propagation."),
    status=req(STR, "True when every placed cluster is as intended, else False."),
    lastUpdateTime=f(TIME, "Last time a change was propagated or reconciliation failed."),
    lastTransitionTime=f(TIME, "Last time the status changed."),
    reason=f(STR, "Why not True: CheckClusters, ComputePlacementFailed, ..."),
)
struct(
    "GenericClusterStatus",
    "Propagation status of a federated object in one cluster.",
    name=req(STR, "Name of the KubeFedCluster."),
    status=f(STR, "Empty when propagated; else ClusterNotReady, AlreadyExists, ManagedLabelFalse, CreationFailed, ..."),
    remoteStatus=f(FREE, "The status of the object in the member cluster, when collected."),
)
struct(
    "GenericFederatedStatus",
    "Propagation status of a federated object; written by the federation controller.",
    observedGeneration=f(I64, "The generation the status was computed from."),
    conditions=f(Arr(R("GenericCondition")), "The Propagation condition."),
    clusters=f(Arr(R("GenericClusterStatus")), "Per-cluster propagation status."),
)

_FED_TEMPLATES = {
    # federated kind: (target description, {template field: Field}, scalable)
    "Namespace": ("a namespace", {"spec": f(R("NamespaceSpec"), "Desired state of the namespace.")}, False),
    "Deployment": ("a deployment", {"spec": f(R("DeploymentSpec"), "Desired state of the deployment.")}, True),
    "ReplicaSet": ("a replica set", {"spec": f(R("ReplicaSetSpec"), "Desired state of the replica set.")}, True),
    "Service": ("a service", {"spec": f(R("ServiceSpec"), "Desired behaviour of the service.")}, False),
    "ConfigMap": ("a config map", {
        "immutable": f(BOOL, "When true, data cannot be changed after creation."),
        "data": f(STRMAP, "UTF-8 configuration values."),
        "binaryData": f(Map(BYTES), "Binary configuration values, base64 encoded."),
    }, False),
    "Secret": ("a secret", {
        "immutable": f(BOOL, "When true, data cannot be changed after creation."),
        "data": f(Map(BYTES), "Secret values, base64 encoded."),
        "stringData": f(STRMAP, "Write-only plain-text values merged into data on write."),
        "type": f(STR, "Type of the secret, e.g. Opaque or kubernetes.io/tls."),
    }, False),
    "Job": ("a job", {"spec": f(R("JobSpec"), "Desired state of the job.")}, False),
    "DaemonSet": ("a daemon set", {"spec": f(R("DaemonSetSpec"), "Desired state of the daemon set.")}, False),
    "StatefulSet": ("a stateful set", {"spec": f(R("StatefulSetSpec"), "Desired state of the stateful set.")}, True),
    "ServiceAccount": ("a service account", {
        "secrets": f(Arr(R("ObjectReference")), "Legacy token secrets of the account.", merge_key="name"),
        "imagePullSecrets": f(Arr(R("LocalObjectReference")), "Secrets used to pull images for pods using this account."),
        "automountServiceAccountToken": f(BOOL, "Whether pods mount the API token automatically."),
    }, False),
}

for _target, (_what, _fields, _scalable) in _FED_TEMPLATES.items():
    struct(
        f"Federated{_target}Template",
        f"The {_target} to create in each placed cluster, without its name and namespace.",
        metadata=f(R("ObjectMeta"), "Labels and annotations of the member objects; name and namespace are the federated object's."),
        **_fields,
    )
    _spec_fields = dict(
        template=f(R(f"Federated{_target}Template"), f"The {_target} each placed cluster gets."),
        placement=f(R("GenericPlacement"), "The member clusters that get the object; none when absent."),
        overrides=f(Arr(R("GenericOverrideItem")), "Per-cluster changes to the template."),
    )
    if _scalable:
        _spec_fields["retainReplicas"] = f(BOOL, "Keep each member's spec.replicas (e.g. for a member's autoscaler).")
    struct(f"Federated{_target}Spec", f"Template, placement and overrides of a federated {_target}.", **_spec_fields)
    kind(
        f"Federated{_target}",
        "types.kubefed.io",
        "v1beta1",
        f"Propagates {_what} to member clusters (KubeFed's Federated{_target}).",
        spec=f(R(f"Federated{_target}Spec"), SPEC),
        status=f(R("GenericFederatedStatus"), "Propagation status; written by the federation controller."),
    )

kind(
    "KubeFedCluster",
    "core.kubefed.io",
    "v1beta1",
    "A member cluster of the federation: another kubelite state directory.",
    spec=req(R("KubeFedClusterSpec"), "How to reach the member."),
    status=f(R("KubeFedClusterStatus"), "Health of the member; written by the federation controller."),
)

struct(
    "ClusterPreferences",
    "How many replicas one cluster (or every cluster, under \"*\") should get.",
    minReplicas=f(NONNEG64, "Replicas the cluster gets before any weighting; 0 by default."),
    maxReplicas=f(NONNEG64, "At most this many replicas; unbounded when absent."),
    weight=f(NONNEG64, "Relative share of the remaining replicas; 0 by default."),
)
struct(
    "ReplicaSchedulingPreferenceSpec",
    "Preferences for splitting a federated workload's replicas between clusters.",
    targetKind=req(STR, "FederatedDeployment or FederatedReplicaSet (same namespace and name as the preference)."),
    totalReplicas=req(I32, "Replicas across all clusters; the target's spec.replicas is ignored."),
    rebalance=f(BOOL, "Move replicas away from clusters that are offline or cannot schedule them."),
    clusters=f(Map(R("ClusterPreferences")), "Preferences per cluster name; \"*\" applies to clusters not named. "
                                              "Without any, every cluster has weight 1."),
)
struct(
    "ReplicaSchedulingResult",
    "Replicas the planner gave one cluster.",
    name=req(STR, "Name of the KubeFedCluster."),
    replicas=req(I64, "Replicas scheduled to the cluster."),
)
struct(
    "ReplicaSchedulingPreferenceStatus",
    "The last plan (a kubelite addition: KubeFed leaves this empty).",
    clusters=f(Arr(R("ReplicaSchedulingResult")), "Replicas per cluster of the last plan."),
)
kind(
    "ReplicaSchedulingPreference",
    "scheduling.kubefed.io",
    "v1alpha1",
    "Splits the replicas of the federated workload of the same name between member clusters.",
    spec=req(R("ReplicaSchedulingPreferenceSpec"), SPEC),
    status=f(R("ReplicaSchedulingPreferenceStatus"), STATUS),
)

struct(
    "ServiceDNSRecordSpec",
    "The DNS names of a federated service: NAME.NAMESPACE.<domainRef>.svc.<cluster domain>.",
    domainRef=req(STR, "The federation's name in the DNS names."),
    recordTTL=f(NONNEG64, "TTL in seconds of the records."),
    dnsPrefix=f(STR, "An extra name, <dnsPrefix>.<domain>, for the records (not served by kubelite resolve)."),
    externalName=f(STR, "Replaces the service name in the records (not served by kubelite resolve)."),
    allowServiceWithoutEndpoints=f(BOOL, "List clusters whose service has no ready endpoints too."),
)
struct(
    "ClusterDNS",
    "The addresses one member cluster serves the service at.",
    cluster=f(STR, "Name of the KubeFedCluster."),
    loadBalancer=f(R("LoadBalancerStatus"), "The ready endpoint addresses of the cluster's copy of the service."),
    zones=f(Arr(STR), "Availability zones of the cluster."),
    region=f(STR, "Region of the cluster."),
)
struct(
    "ServiceDNSRecordStatus",
    "Where the service is served, per cluster; written by the federation controller.",
    domain=f(STR, "The DNS domain of the records (the host's cluster domain)."),
    dns=f(Arr(R("ClusterDNS")), "Clusters whose copy of the service has ready endpoints."),
)
kind(
    "ServiceDNSRecord",
    "multiclusterdns.kubefed.io",
    "v1alpha1",
    "Cross-cluster DNS for the services of the same name in member clusters.",
    spec=req(R("ServiceDNSRecordSpec"), SPEC),
    status=f(R("ServiceDNSRecordStatus"), STATUS),
)

# ---------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------


def _collect_refs(node, out: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            out.add(ref[len("#/$defs/") :])
        for value in node.values():
            _collect_refs(value, out)
    elif isinstance(node, list):
        for value in node:
            _collect_refs(value, out)


def build_kind(name: str, group: str, version: str, desc: str, fields: dict[str, Field]) -> dict:
    api_version = f"{group}/{version}" if group else version
    props = {
        "apiVersion": req(Scalar("string", const=api_version), "Versioned schema of this object: " + api_version + "."),
        "kind": req(Scalar("string", const=name), "Kind of this object: " + name + "."),
        "metadata": req(R("ObjectMeta"), "Standard object metadata (name, namespace, labels, ...)."),
    }
    props.update(fields)
    schema = render_object(props, "object")
    schema["$schema"] = SCHEMA_DIALECT
    schema["title"] = name
    schema["description"] = desc
    schema["x-kubernetes-group-version-kind"] = {"group": group, "version": version, "kind": name}

    # Pull in exactly the definitions reachable from the root.
    defs: dict[str, dict] = {}
    pending: set[str] = set()
    _collect_refs(schema, pending)
    while pending:
        dname = pending.pop()
        if dname in defs:
            continue
        rendered = render_def(dname)
        defs[dname] = rendered
        more: set[str] = set()
        _collect_refs(rendered, more)
        pending |= more - defs.keys()
    schema["$defs"] = defs
    return schema


def build_all() -> dict[str, dict]:
    """Return {"<kind lowercased>": schema} for every supported kind."""
    out: dict[str, dict] = {}
    for name, group, version, desc, fields in KINDS:
        key = name.lower()
        if key in out:
            raise ValueError(f"duplicate kind {name}")
        out[key] = build_kind(name, group, version, desc, fields)
    return out


def dumps(schema: dict) -> str:
    return json.dumps(schema, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def write_all(out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for key, schema in build_all().items():
        path = out_dir / f"{key}.json"
        path.write_text(dumps(schema), encoding="utf-8")
        written.append(path)
    return written


def check(out_dir: Path) -> list[str]:
    """Return a list of problems (stale, missing or extra files) in out_dir."""
    out_dir = Path(out_dir)
    expected = {f"{k}.json": dumps(v) for k, v in build_all().items()}
    problems = []
    for fname, text in expected.items():
        path = out_dir / fname
        if not path.exists():
            problems.append(f"missing {fname}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"stale {fname}")
    for path in sorted(out_dir.glob("*.json")):
        if path.name not in expected:
            problems.append(f"unexpected {path.name}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="output directory")
    parser.add_argument("--check", action="store_true", help="only verify that the files are up to date")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.out)
        for p in problems:
            print(p, file=sys.stderr)
        return 1 if problems else 0
    paths = write_all(args.out)
    print(f"wrote {len(paths)} schemas to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
