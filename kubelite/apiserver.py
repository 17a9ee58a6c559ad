"""The API server in-process: admission, defaults, validation and the verbs, over the store.

The CLI and every controller write through this one class, so the same rules
hold whoever writes. Errors are the domain exceptions of kubelite.errors.
"""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from kubelite import lazy
from kubelite.api import kinds
from kubelite.api.fastcopy import clone
from kubelite.api.fielderrors import FieldError, invalid
from kubelite.api.kinds import Kind
from kubelite.api.objectfile import MAX_KEY_BYTES, file_problem, key_error  # noqa: F401 (re-exported)
from kubelite.clock import Clock
from kubelite.errors import BadRequest, Forbidden, InputError, KubeliteError, NotFound, StateError, UsageError
from kubelite.store import Store

# The write path's machinery loads on first use: `get` never needs it.
defaults = lazy.module("kubelite.api.defaults")
merge = lazy.module("kubelite.api.merge")
schema = lazy.module("kubelite.api.schema")
validation = lazy.module("kubelite.api.validation")
versions = lazy.module("kubelite.api.versions")
custom = lazy.module("kubelite.admission.customresources")

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
UNDELETABLE_NAMESPACES = ("default", "kube-system", "kube-public")

# Bootstrap hooks run once when a state directory is created: (name, fn(api)).
BOOTSTRAP: list[Callable[["APIServer"], None]] = []

# key_error and file_problem live in kubelite.api.objectfile, which the CLI's fast path
# imports without loading the API server: both paths refuse exactly the same files.


def _check_text(obj: Any, source: Source) -> None:
    """Refuse text no file can hold: lone surrogates (from undecodable bytes or bad escapes)."""
    import json

    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{source.prefix()}invalid Unicode: a string holds a lone surrogate, which is not UTF-8") from None
    except (TypeError, ValueError):
        pass  # not JSON data: the schema check has said so already


def _key_of(obj: dict) -> tuple[str | None, str]:
    m = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    return m.get("namespace"), m.get("name")


def _key_ok(kind: Kind, namespace: str | None, name: str) -> bool:
    """Whether (namespace, name) can only ever address kind's own object file."""
    if key_error(name) is not None:
        return False
    return not (kind.namespaced and namespace and key_error(namespace) is not None)


def default_state_dir(flag: str | None = None, env: dict | None = None) -> Path:
    """`--state-dir` first, then $KUBELITE_STATE_DIR, then ~/.kubelite."""
    env = os.environ if env is None else env
    if flag:
        return Path(flag).expanduser()
    if env.get("KUBELITE_STATE_DIR"):
        return Path(env["KUBELITE_STATE_DIR"]).expanduser()
    return Path("~/.kubelite").expanduser()


@dataclass
class Result:
    """What a write did: `created`, `configured`, `unchanged`, `deleted`, ..."""

    verb: str
    kind: Kind
    obj: dict
    dry_run: bool = False

    @property
    def name(self) -> str:
        return self.obj.get("metadata", {}).get("name", "")


@dataclass
class Source:
    """Where a manifest came from, for error messages naming file and document."""

    file: str = ""
    index: int = 0

    def prefix(self) -> str:
        if not self.file:
            return ""
        doc = f" (document {self.index})" if self.index else ""
        return f'error validating "{self.file}"{doc}: '


class APIServer:
    def __init__(self, store: Store):
        self.store = store
        self.clock = store.clock
        self.warnings: list[str] = []
        # Objects built by controllers skip the JSON Schema check for speed; the test
        # suite sets KUBELITE_STRICT=1 so every controller write is checked against it.
        self.strict = os.environ.get("KUBELITE_STRICT") == "1"
        # Who is asking. None is the control plane itself (controllers), which RBAC does
        # not restrict; the CLI sets the acting user, and every request is then authorized.
        self.identity = None
        self._authorizer = None
        # The subresource a write addresses ("status", "scale"), for the strategies that care.
        self.subresource = ""
        # Custom kinds come from this directory's CRDs, loaded only when a kind is not built in.
        kinds.use_custom_source(store.root, self._crds, self._crds_stamp)

    def _crds_stamp(self) -> object:
        """Changes whenever a CRD file is written or removed (each write renames into the folder)."""
        try:
            st = os.stat(self.store.dir_for(kinds.by_kind("CustomResourceDefinition")))
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def _crds(self) -> list[dict]:
        try:
            return self.store.list(kinds.by_kind("CustomResourceDefinition"))
        except KubeliteError:
            return []

    # -- authorization and audit ---------------------------------------------------
    @property
    def authorizer(self):
        if self._authorizer is None:
            from kubelite.auth.authorizer import Authorizer

            self._authorizer = Authorizer(self.store)
        return self._authorizer

    def authorize(self, verb: str, kind: Kind, namespace: str | None = None, name: str = "", subresource: str = "") -> None:
        """Refuse (Forbidden, audited) a request the acting identity may not make."""
        if self.identity is None or self.identity.is_master:
            return
        from kubelite.auth.rbac import Request

        req = Request(verb, kind.group, kind.plural, subresource, (namespace or "") if kind.namespaced else "", name or "")
        try:
            self.authorizer.check(self.identity, req)
        except Forbidden:
            self.audit(verb, kind, namespace, name, "forbid", 403, subresource)
            raise

    def audit(self, verb: str, kind: Kind, namespace: str | None, name: str, decision: str, code: int, subresource: str = "") -> None:
        """Append one audit.k8s.io/v1 Event line to STATE/audit.log (CLI requests only)."""
        if self.identity is None:
            return
        import json
        import uuid

        ref = {"resource": kind.plural, "apiGroup": kind.group, "apiVersion": kind.version}
        if kind.namespaced and namespace:
            ref["namespace"] = namespace
        if name:
            ref["name"] = name
        if subresource:
            ref["subresource"] = subresource
        line = {
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": str(uuid.uuid4()),
            "stage": "ResponseComplete", "verb": verb, "requestReceivedTimestamp": self.clock.stamp(),
            "stageTimestamp": self.clock.stamp(),
            "user": {"username": self.identity.user, "groups": list(self.identity.groups)},
            "objectRef": ref, "responseStatus": {"metadata": {}, "code": code},
            "annotations": {"authorization.k8s.io/decision": decision},
        }
        try:
            fd = os.open(self.store.root / "audit.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a") as f:
                f.write(json.dumps(line, sort_keys=True) + "\n")
        except OSError:
            pass  # the audit trail is best effort; it never blocks a request

    # -- opening -------------------------------------------------------------
    @classmethod
    def open(cls, root: Path, clock: Clock | None = None, create: bool = True) -> "APIServer":
        root = Path(root)
        clock = clock or Clock.from_env()
        if not (root / "registry").is_dir():
            if not create:
                raise StateError(f"{root} is not a kubelite state directory")
            cls._initialize(root, clock)
        return cls(Store(root, clock))

    @classmethod
    def _initialize(cls, root: Path, clock: Clock) -> None:
        """Create and bootstrap a state directory atomically: build aside, then rename into place."""
        import tempfile

        parent = root.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}.init-", dir=parent))
        except OSError as e:
            raise StateError(f"cannot create state directory {root}: {e.strerror}") from None
        try:
            os.chmod(tmp, 0o700)
            (tmp / "registry").mkdir(mode=0o700)
            api = cls(Store(tmp, clock))
            with api.store.locked():
                for ns in SYSTEM_NAMESPACES:
                    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
                _load_plugins()
                for hook in BOOTSTRAP:
                    hook(api)
            try:
                os.rename(tmp, root)  # atomic; also replaces an empty directory
            except OSError:
                if (root / "registry").is_dir():
                    return  # another process won the race: use its directory
                raise
        except OSError as e:
            raise StateError(f"cannot create state directory {root}: {e.strerror}") from None
        finally:
            if tmp.exists():
                import shutil

                shutil.rmtree(tmp, ignore_errors=True)

    # -- preparing input -------------------------------------------------------
    def kind_of(self, obj: Any, source: Source | None = None) -> Kind:
        source = source or Source()
        if not isinstance(obj, dict):
            what = type(obj).__name__
            raise InputError(f"{source.prefix()}a manifest must be a mapping with apiVersion and kind, not a {_json_type(what)}")
        av, k = obj.get("apiVersion"), obj.get("kind")
        if not av or not k:
            missing = "apiVersion" if not av else "kind"
            raise InputError(f"{source.prefix()}{missing} not set" if source.file else f"Object '{missing}' is missing")
        kind = kinds.for_object(av, k)
        if kind is None:
            where = f' "{source.file}"' if source.file else ""
            if source.file and source.index:
                where += f" (document {source.index})"
            hint = kinds.unknown_kind_hint(str(av), str(k))
            raise InputError(f'resource mapping not found for kind "{k}" in version "{av}"{" in" + where if where else ""}: {hint}')
        return kind

    def prepare(self, obj: dict, namespace: str | None = None, source: Source | None = None,
                explicit_namespace: bool = False, field_validation: str | None = None) -> tuple[Kind, dict]:
        """Check a manifest the user gave and settle its namespace. Raises on any problem.

        One schema pass finds every structural error. An unknown field is Invalid like the
        rest, unless `field_validation` says otherwise (an API request's Strict, Warn or
        Ignore, see unknown_fields). The object returned is a copy: obj is left alone."""
        source = source or Source()
        other = versions.other_version(obj.get("apiVersion"), obj.get("kind")) if isinstance(obj, dict) else None
        if other is not None:  # a kind's second served version: checked as it is, stored converted
            errs = schema.validate(other.schema, obj) if isinstance(obj.get("metadata"), dict) else []
            if errs and field_validation:
                obj = clone(obj)
                errs = self.unknown_fields(kinds.by_kind(obj["kind"]), obj, errs, field_validation)
            if errs:
                raise self._invalid(kinds.by_kind(obj["kind"]), obj, errs, source)
            obj = other.to_storage(obj)
        kind = self.kind_of(obj, source)
        try:
            obj = clone(obj)
        except Exception:  # not plain data: the slow, general copy
            obj = copy.deepcopy(obj)
        meta = obj.get("metadata")
        if meta is None or not isinstance(meta, dict):
            if meta is None and "metadata" not in obj:
                raise InputError(f"{source.prefix()}{kind.kind}: metadata: Required value")
        errs = custom.check(kind, obj) if kind.custom else schema.validate(kind.kind, obj)
        if errs and field_validation:
            errs = self.unknown_fields(kind, obj, errs, field_validation)
        if errs:
            raise self._invalid(kind, obj, errs, source)
        self._check_keys(kind, obj, source)
        _check_text(obj, source)
        meta = obj["metadata"]
        if kind.namespaced:
            ns = meta.get("namespace")
            if ns and namespace and explicit_namespace and ns != namespace:
                raise UsageError(
                    f'the namespace from the provided object "{ns}" does not match the namespace "{namespace}". '
                    f"You must pass '--namespace={ns}' to perform this operation."
                )
            meta["namespace"] = ns or namespace or "default"
        else:
            meta.pop("namespace", None)
        return kind, obj

    def unknown_fields(self, kind: Kind, obj: dict, errs: list[FieldError], mode: str) -> list[FieldError]:
        """An API request's fieldValidation over the unknown fields among errs; returns the
        other errors. Strict refuses them (400, upstream's strict decoding error); Warn
        (the server's default) and Ignore drop them from obj, Warn with a warning each."""
        unknown = [e for e in errs if e.type == "Unknown field"]
        if not unknown:
            return errs
        if mode == "Strict":
            fields = ", ".join(f'unknown field "{e.path}"' for e in unknown)
            raise BadRequest(f'{kind.kind} in version "{kind.version}" cannot be handled as a {kind.kind}: strict decoding error: {fields}')
        for e in unknown:
            _drop_path(obj, e.path)
            if mode == "Warn":
                self.warnings.append(f'unknown field "{e.path}"')
        return [e for e in errs if e.type != "Unknown field"]

    def _check_keys(self, kind: Kind, obj: dict, source: Source | None) -> None:
        """Refuse a name or namespace that is not a safe file name before the store is touched.

        Names the semantic rules would refuse anyway get those rules' messages.
        """
        meta = obj.get("metadata") or {}
        errs: list[FieldError] = []
        name = meta.get("name")
        if isinstance(name, str) and name and key_error(name):
            msgs = validation.name_errors(kind.kind, name) or [key_error(name)]
            errs += [FieldError("metadata.name", "Invalid value", name, m) for m in msgs]
        ns = meta.get("namespace")
        if kind.namespaced and isinstance(ns, str) and ns and key_error(ns):
            from kubelite.api import meta as apimeta

            errs += [FieldError("metadata.namespace", "Invalid value", ns, m)
                     for m in (apimeta.dns1123_label_errors(ns) or [key_error(ns)])]
        if errs:
            raise self._invalid(kind, obj, errs, source or Source())

    def _invalid(self, kind: Kind, obj: dict, errs: list[FieldError], source: Source) -> KubeliteError:
        name = (obj.get("metadata") or {}).get("name") if isinstance(obj.get("metadata"), dict) else None
        e = invalid(kind.kind, name or "", errs)
        if source.file:
            return InputError(source.prefix() + e.message)
        return e

    def _finish(self, kind: Kind, obj: dict, old: dict | None, source: Source | None = None) -> None:
        """Defaults, then semantic validation (and immutable fields for updates). Pure: no writes."""
        source = source or Source()
        if kind.custom:  # a CRD's schema, defaults and rules, not a built-in kind's
            errs = custom.finish(self, kind, obj, old)
            if errs:
                raise self._invalid(kind, obj, errs, source)
            return
        defaults.apply_defaults(obj)
        errs = schema.validate(kind.kind, obj) if self.strict else []
        errs = errs or validation.validate_object(obj)
        if old is not None and not errs:
            errs = validation.validate_update(old, obj)
        if errs:
            raise self._invalid(kind, obj, errs, source)

    def defaulted(self, kind: Kind, obj: dict, old: dict | None = None, source: Source | None = None) -> dict:
        """A copy of `obj` as an update of `old` would store it: defaulted and checked. Pure."""
        out = clone(obj)
        self._finish(kind, out, old, source)
        return out

    def _admit(self, kind: Kind, obj: dict, old: dict | None, dry_run: bool) -> list[Callable[[], None]]:
        """Run the admission plugins (under the store lock). Returns undo actions for a failed write."""
        _load_plugins()
        undo: list[Callable[[], None]] = []
        try:
            for hook in ADMISSION:
                u = hook(self, kind, obj, old, dry_run)
                if u is not None:
                    undo.append(u)
        except BaseException:
            for u in reversed(undo):
                u()
            raise
        return undo

    def _guarded_write(self, undo: list[Callable[[], None]], write: Callable[[], Any]) -> Any:
        try:
            return write()
        except BaseException:
            for u in reversed(undo):
                u()
            raise

    def _released(self, kind: Kind, obj: dict) -> None:
        """An object left the store: let plugins release what it held (IPs, ports)."""
        _load_plugins()
        for hook in AFTER_DELETE:
            hook(self, kind, obj)

    def _namespace_ok(self, kind: Kind, obj: dict) -> None:
        if not kind.namespaced:
            return
        ns = obj["metadata"]["namespace"]
        nsk = kinds.by_kind("Namespace")
        nso = self.store.try_get(nsk, None, ns)
        if nso is None:
            raise NotFound("namespaces", ns)
        if (nso.get("metadata") or {}).get("deletionTimestamp") or (nso.get("status") or {}).get("phase") == "Terminating":
            raise Forbidden(
                f'{kind.resource} "{obj["metadata"].get("name", "")}" is forbidden: unable to create new content in namespace {ns} because it is being terminated'
            )

    # -- reads -----------------------------------------------------------------
    def get(self, kind: Kind, namespace: str | None, name: str) -> dict:
        obj = self.try_get(kind, namespace, name)
        if obj is None:
            raise NotFound(kind.resource, name)
        return obj

    def try_get(self, kind: Kind, namespace: str | None, name: str) -> dict | None:
        self.authorize("get", kind, namespace, name)
        if not _key_ok(kind, namespace, name):
            return None  # no object can have it; and it must not reach another file
        ns = (namespace or "default") if kind.namespaced else None
        obj = self.store.try_get(kind, ns, name)
        if obj is not None:
            problem = file_problem(kind, obj, ns, name)
            if problem is not None:
                raise StateError(f"bad object file {self.store.path_for(kind, ns, name)}: {problem}")
        return obj

    def list_names(self, kind: Kind, namespace: str | None = None) -> list[tuple[str | None, str]]:
        """(namespace, name) of every object of a kind, as list() orders them, from file names
        alone (`get -o name`): a file that does not parse is named too, not reported."""
        self.authorize("list", kind, namespace)
        ns = namespace if kind.namespaced else None
        if ns and key_error(ns) is not None:
            return []
        return [(n, name) for n, name in self.store.names(kind, ns) if key_error(name) is None]

    def list(self, kind: Kind, namespace: str | None = None) -> list[dict]:
        """Every readable object of a kind; a file that is not the object its path names is
        skipped and reported like one that does not parse."""
        self.authorize("list", kind, namespace)
        ns = namespace if kind.namespaced else None
        if ns and key_error(ns) is not None:
            return []
        store = self.store
        seen_bad = len(store.bad_files)
        objs = store.list(kind, ns)
        # Pair files with objects: the store reads paths in order and skips only bad files.
        # File names as strings, in list()'s order (no Path per object: at 100,000 pods
        # building and hashing them cost a tenth of `get pods -A`).
        keys = store.names(kind, ns)
        if len(store.bad_files) > seen_bad:
            bad = {(b.path.parent.name if kind.namespaced else None, b.path.name[:-len(".yaml")])
                   for b in store.bad_files[seen_bad:]}
            keys = [k for k in keys if k not in bad]
        if len(keys) != len(objs):  # the directory changed while we listed: judge objects alone
            return [o for o in objs if file_problem(kind, o, *_key_of(o)) is None]
        out = []
        for (n, name), o in zip(keys, objs):
            problem = file_problem(kind, o, n, name)
            if problem is None:
                out.append(o)
                continue
            path = store.path_for(kind, n, name)
            try:  # make sure the pairing holds: a writer may have replaced files between the two scans
                same = store.read_path(path) == o
            except (FileNotFoundError, StateError):
                same = False
            if not same:
                if file_problem(kind, o, *_key_of(o)) is None:
                    out.append(o)
                continue
            from kubelite.store.store import BadFile

            b = BadFile(path, f"bad object file {path}: {problem}")
            store.bad_files.append(b)
            if store.on_bad_file:
                store.on_bad_file(b)
        return out

    # -- writes ----------------------------------------------------------------
    def create(self, obj: dict, namespace: str | None = None, source: Source | None = None,
               dry_run: bool = False, prepared: Kind | None = None) -> Result:
        if prepared is None:
            kind, obj = self.prepare(obj, namespace, source)
        else:
            kind = prepared
        meta = obj["metadata"]
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + _random_suffix()
        self._check_keys(kind, obj, source)
        self.authorize("create", kind, meta.get("namespace"), "")
        uid = None
        if kind.kind == "Job" and isinstance(obj.get("spec"), dict) and not obj["spec"].get("manualSelector"):
            # As upstream's job strategy: the selector and template labels name the Job's
            # uid, so it is chosen here, before validation, rather than by the store.
            import uuid

            uid = str(uuid.uuid4())
            obj["spec"] = defaults.job_generated_selector(dict(obj, metadata=dict(meta, uid=uid)))
        self._finish(kind, obj, None, source)
        with self.store.locked():
            self._namespace_ok(kind, obj)
            if self.store.exists(kind, meta.get("namespace"), meta["name"]):
                from kubelite.errors import AlreadyExists

                raise AlreadyExists(kind.resource, meta["name"])
            undo = self._admit(kind, obj, None, dry_run)
            stored = self._guarded_write(undo, lambda: self.store.create(kind, obj, dry_run=dry_run, uid=uid))
            if not dry_run:
                for hook in AFTER_CREATE:
                    hook(self, kind, stored)
        if not dry_run:
            self.audit("create", kind, meta.get("namespace"), meta["name"], "allow", 201)
        return Result("created", kind, stored, dry_run)

    def _replace(self, kind: Kind, obj: dict, old: dict, *, check_rv: bool = True, dry_run: bool = False,
                 source: Source | None = None, old_is_private: bool = False) -> tuple[dict, bool]:
        """Validate, admit and store an update of `old` (held under the store lock).

        With old_is_private (old was read here and shares nothing with obj) the store
        skips reading the object a second time.
        """
        self._finish(kind, obj, old, source)
        undo = self._admit(kind, obj, old, dry_run)
        current = old if old_is_private else None
        stored, changed = self._guarded_write(undo, lambda: self.store.update(kind, obj, check_rv=check_rv, dry_run=dry_run, current=current))
        if changed and not dry_run and not self.store.exists(kind, obj["metadata"].get("namespace"), obj["metadata"]["name"]):
            self._released(kind, stored)
        return stored, changed

    def update(self, obj: dict, source: Source | None = None, dry_run: bool = False,
               check_rv: bool = True, prepared: Kind | None = None, verb: str = "update", subresource: str = "") -> Result:
        """Replace the whole object (kubectl replace, label, scale, controllers' writes).

        `verb` and `subresource` are what RBAC checks: `patch` for label/annotate/patch,
        `update` on `deployments/scale` for scale.
        """
        if prepared is None:
            kind, obj = self.prepare(obj, obj.get("metadata", {}).get("namespace"), source)
        else:
            kind = prepared
        meta = obj["metadata"]
        self.authorize(verb, kind, meta.get("namespace"), meta.get("name", ""), subresource)
        with self.store.locked():
            old = self.store.get(kind, meta.get("namespace"), meta.get("name"))
            self.subresource = subresource
            try:
                stored, changed = self._replace(kind, obj, old, check_rv=check_rv, dry_run=dry_run, source=source)
            finally:
                self.subresource = ""
        if changed and not dry_run:
            self.audit(verb, kind, meta.get("namespace"), meta.get("name", ""), "allow", 200, subresource)
        return Result("replaced" if changed else "unchanged", kind, stored, dry_run)

    def apply(self, manifest: dict, namespace: str | None = None, source: Source | None = None,
              dry_run: bool = False, explicit_namespace: bool = False, prepared: Kind | None = None) -> Result:
        """kubectl apply: create, or three-way merge into the live object.

        `prepared`: the manifest already went through prepare() and is used as it is
        (it is never modified here), so a batch is schema-checked once, not per step.
        """
        if prepared is None:
            kind, manifest = self.prepare(manifest, namespace, source, explicit_namespace)
        else:
            kind = prepared
        meta = manifest["metadata"]
        if not meta.get("name"):
            raise InputError(f"{(source or Source()).prefix()}metadata.name: Required value: name is required for apply")
        self.authorize("get", kind, meta.get("namespace"), meta["name"])
        with self.store.locked():
            live = self.store.try_get(kind, meta.get("namespace"), meta["name"])
            if live is None:
                return self.create(merge.with_last_applied(manifest), source=source, dry_run=dry_run, prepared=kind)
            self.authorize("patch", kind, meta.get("namespace"), meta["name"])
            merged = merge.apply_manifest(manifest, live)
            stored, changed = self._replace(kind, merged, live, dry_run=dry_run, source=source)
        if changed and not dry_run:
            self.audit("patch", kind, meta.get("namespace"), meta["name"], "allow", 200)
        return Result("configured" if changed else "unchanged", kind, stored, dry_run)

    def write(self, kind: Kind, obj: dict, *, check_rv: bool = True) -> tuple[dict, bool]:
        """A controller's write: validated like any other, with the resourceVersion precondition."""
        with self.store.locked():
            old = self.store.get(kind, obj["metadata"].get("namespace"), obj["metadata"]["name"])
            return self._replace(kind, obj, old, check_rv=check_rv, old_is_private=True)

    def delete(self, kind: Kind, namespace: str | None, name: str, *, propagation: str = "background",
               dry_run: bool = False, uid: str | None = None, rv: str | None = None) -> Result:
        """Delete with upstream's propagation: foreground and orphan go through finalizers."""
        ns = namespace if kind.namespaced else None
        self.authorize("delete", kind, ns, name)
        if not _key_ok(kind, ns, name):
            raise NotFound(kind.resource, name)
        if kind.kind == "Namespace" and name in UNDELETABLE_NAMESPACES:
            raise Forbidden(f'namespaces "{name}" is forbidden: this namespace may not be deleted')
        add: tuple[str, ...] = ()
        if propagation == "foreground":
            add = ("foregroundDeletion",)
        elif propagation == "orphan":
            add = ("orphan",)
        if kind.kind == "Namespace":
            res = self._delete_namespace(name, dry_run)
        else:
            with self.store.locked():
                obj, removed = self.store.delete(kind, ns, name, uid=uid, rv=rv, add_finalizers=add, dry_run=dry_run)
                if not removed and not dry_run:  # a hook may finish a deletion its finalizer has nothing to wait for
                    _load_plugins()
                    removed = any(hook(self, kind, obj) for hook in ON_MARKED)
                if removed and not dry_run:
                    self._released(kind, obj)
            res = Result("deleted", kind, obj, dry_run)
        if not dry_run:
            self.audit("delete", kind, ns, name, "allow", 200)
        return res

    def evict(self, namespace: str, name: str, dry_run: bool = False) -> Result:
        """The Eviction API: a create on pods/eviction, carried out by the control plane.

        Disruption budgets are honoured as upstream's eviction handler does
        (kubelite.policy.disruption): a refusal is TooManyRequests (429) naming the
        budget in its causes; an allowed eviction of a guarded pod first takes one
        disruption from the budget's status, then deletes the pod.
        """
        from kubelite.errors import ServerError, TooManyRequests
        from kubelite.policy import disruption

        pk = kinds.by_kind("Pod")
        self.authorize("create", pk, namespace, name, "eviction")
        who, self.identity = self.identity, None
        try:
            with self.store.locked():
                pod = self.store.try_get(pk, namespace, name) if _key_ok(pk, namespace, name) else None
                if pod is None:
                    raise NotFound("pods", name)
                budget_kind = kinds.for_object("policy/v1", "PodDisruptionBudget")
                budgets = self.store.list(budget_kind, namespace) if budget_kind is not None else []
                verdict = disruption.evict(pod, budgets, self.clock.stamp())
                if not verdict.allowed:
                    if verdict.code == 429:
                        raise TooManyRequests(verdict.message, [verdict.cause] if verdict.cause else [],
                                              retry_after=10 if verdict.pdb is not None and "processed" in verdict.cause else 0)
                    if verdict.code == 403:
                        raise Forbidden(verdict.message)
                    raise ServerError(verdict.message)
                if verdict.pdb_status is not None and not dry_run:
                    updated = clone(verdict.pdb)
                    updated["status"] = verdict.pdb_status
                    self._replace(budget_kind, updated, verdict.pdb)
                res = self.delete(pk, namespace, name, dry_run=dry_run)
        finally:
            self.identity = who
        if who is not None and not dry_run:
            self.audit("create", pk, namespace, name, "allow", 201, "eviction")
        return res

    def _delete_namespace(self, name: str, dry_run: bool) -> Result:
        """Mark the namespace Terminating; the namespace controller empties and removes it."""
        kind = kinds.by_kind("Namespace")
        obj, _ = self.store.delete(kind, None, name, dry_run=dry_run)
        return Result("deleted", kind, obj, dry_run)


# Admission plugins (kubelite/admission/) register here when first needed:
# ADMISSION hooks fn(api, kind, obj, old, dry_run) may mutate obj or raise, and may
# return an undo action for a write that then fails; AFTER_CREATE hooks fn(api, kind, obj)
# follow a create; AFTER_DELETE hooks fn(api, kind, obj) release what a removed object held.
ADMISSION: list[Callable[..., Callable[[], None] | None]] = []
AFTER_CREATE: list[Callable[[APIServer, Kind, dict], None]] = []
AFTER_DELETE: list[Callable[[APIServer, Kind, dict], None]] = []
# ON_MARKED hooks fn(api, kind, obj) -> bool see an object marked for deletion whose
# finalizers remain; True when the hook removed it at once.
ON_MARKED: list[Callable[[APIServer, Kind, dict], bool]] = []
_plugins_loaded = False


def _drop_path(obj: Any, path: str) -> None:
    """Remove the field at a FieldError path (`spec.containers[0].bogus`) from obj."""
    import re

    parts: list[Any] = []
    for seg in path.split("."):
        m = re.match(r"^([^\[]*)((?:\[\d+\])*)$", seg)
        if not m:
            return
        if m.group(1):
            parts.append(m.group(1))
        parts += [int(i) for i in re.findall(r"\[(\d+)\]", m.group(2))]
    cur = obj
    for p in parts[:-1]:
        try:
            cur = cur[p]
        except (KeyError, IndexError, TypeError):
            return
    if isinstance(cur, dict):
        cur.pop(parts[-1], None)


def _load_plugins() -> None:
    global _plugins_loaded
    if not _plugins_loaded:
        _plugins_loaded = True
        import kubelite.admission  # noqa: F401  (registers its hooks)


def _json_type(pytype: str) -> str:
    return {"list": "list", "str": "string", "int": "number", "float": "number", "bool": "boolean", "NoneType": "null"}.get(pytype, pytype)


def _random_suffix(n: int = 5) -> str:
    import secrets

    # Upstream's rand.String alphabet: no vowels or look-alikes.
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return "".join(secrets.choice(alphabet) for _ in range(n))
