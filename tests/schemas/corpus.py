"""The schema verdict corpus: real manifests and systematic mutations of them.

The hand-typed schemas that schemas/generate.py produced before it read the official
definitions were retired in favour of generated ones; their verdicts on this corpus
were recorded once, in tests/data/schema_verdicts.json (the ids of the accepted
cases; every other case was rejected), and the generated schemas must
reach the same verdicts (tests/schemas/test_verdicts.py).

Recording the old verdicts as a fixture, rather than rebuilding the old generator from
git history in the test, keeps the test independent of the repository's history (a
shallow clone or an exported tree runs it too) and of the old generator's code.

Run ``python tests/schemas/corpus.py`` to rebuild the base documents
(tests/data/schema_corpus.yaml) from samples/, the tests' manifests and kubectl's
--dry-run=client output; ``--record SCHEMA_DIR`` then records the verdicts of the
schemas in SCHEMA_DIR.
"""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "data" / "schema_corpus.yaml"
VERDICTS = REPO / "tests" / "data" / "schema_verdicts.json"

# kubectl commands whose --dry-run=client -o yaml output joins the corpus.
KUBECTL_CREATES = [
    "deployment web --image=nginx:1.27 --replicas=3 --port=80",
    "job pi --image=perl:5.34 -- perl -e 'print 1'",
    "cronjob nightly --image=busybox --schedule='0 3 * * *' -- date",
    "configmap cfg --from-literal=a=1 --from-literal=b=2",
    "secret generic creds --from-literal=user=admin --from-literal=pw=s3cret",
    "secret tls tls --cert=CERT --key=KEY",
    "secret docker-registry regcred --docker-server=r.example.com --docker-username=u --docker-password=p",
    "service clusterip web --tcp=80:8080",
    "service nodeport np --tcp=80:8080 --node-port=30080",
    "service loadbalancer lb --tcp=443:8443",
    "service externalname ext --external-name=example.com",
    "serviceaccount robot",
    "namespace team-a",
    "clusterrole health --verb=get --non-resource-url=/healthz",
    "clusterrole agg --aggregation-rule=rbac.example.com/aggregate=true",
    "rolebinding rb --role=reader --user=alice --serviceaccount=default:robot",
    "clusterrolebinding crb --clusterrole=watcher --group=ops",
]

_yaml = YAML(typ="safe", pure=True)


def _test_manifests() -> list[dict]:
    """The multi-line YAML manifests that tests/schemas/test_schemas.py spells out."""
    sys.path.insert(0, str(REPO))
    from tests.schemas import test_schemas as t

    texts = [v for k, v in vars(t).items() if k.isupper() and isinstance(v, str) and "apiVersion:" in v]
    texts += list(t.EXTRA_OBJECTS.values())
    return [d for text in texts for d in _yaml.load_all(text) if isinstance(d, dict) and d.get("kind")]


def _kubectl(cmd: str, tmp: Path) -> dict:
    cmd = cmd.replace("CERT", str(tmp / "tls.crt")).replace("KEY", str(tmp / "tls.key"))
    sub, rest = cmd.split(" ", 1)
    out = subprocess.run(f"kubectl create {sub} --dry-run=client -o yaml {rest}", shell=True, check=True,
                         capture_output=True, text=True).stdout
    return _yaml.load(out)


def build_corpus() -> list[dict]:
    import tempfile

    docs: list[dict] = []
    for path in sorted((REPO / "samples").rglob("*.yaml")):
        docs += [d for d in _yaml.load_all(path.read_text()) if isinstance(d, dict) and "kind" in d]
    docs += _test_manifests()
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=x",
                        "-keyout", str(t / "tls.key"), "-out", str(t / "tls.crt")], check=True, capture_output=True)
        docs += [_kubectl(c, t) for c in KUBECTL_CREATES]
    return docs


def load_corpus() -> list[dict]:
    return list(_yaml.load_all(CORPUS.read_text()))


# -- mutations -----------------------------------------------------------------

def _walk(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield path, node
    if isinstance(node, dict):
        for k in sorted(node):
            yield from _walk(node[k], path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node[:2]):
            yield from _walk(v, path + (i,))


def _set(doc: Any, path: tuple, op: str) -> Any:
    doc = copy.deepcopy(doc)
    parent = doc
    for p in path[:-1]:
        parent = parent[p]
    last = path[-1] if path else None
    if op == "unknown-field":
        target = parent[last] if path else doc
        target["zzUnknownField"] = "x"
    elif op == "delete":
        del parent[last]
    elif op == "null":
        parent[last] = None
    elif op == "list":
        parent[last] = [parent[last]]
    elif op == "object":
        parent[last] = {"a": 1}
    elif op == "string":
        parent[last] = "a string"
    elif op == "number":
        parent[last] = 2.5
    elif op == "huge":
        parent[last] = 2**40
    elif op == "null-item":
        parent[last] = parent[last] + [None]
    return doc


def mutations(doc: dict) -> Iterator[tuple[str, dict]]:
    """Every single-step damage to doc, named by operation and path: the reject corpus."""
    for path, node in _walk(doc):
        where = "/".join(map(str, path))
        if isinstance(node, dict):
            yield f"unknown-field@{where}", _set(doc, path, "unknown-field")
        if not path:
            continue
        if isinstance(path[-1], str):
            yield f"delete@{where}", _set(doc, path, "delete")
        if path[0] == "metadata" and len(path) > 1 and path[1] in ("labels", "annotations") and len(path) > 2:
            yield f"number@{where}", _set(doc, path, "number")
            continue
        yield f"null@{where}", _set(doc, path, "null")
        if isinstance(node, (str, int, float, bool)) and not isinstance(node, list):
            yield f"list@{where}", _set(doc, path, "list")
            yield f"object@{where}", _set(doc, path, "object")
        if isinstance(node, bool) or isinstance(node, int):
            yield f"string@{where}", _set(doc, path, "string")
        if isinstance(node, int) and not isinstance(node, bool):
            yield f"number@{where}", _set(doc, path, "number")
            yield f"huge@{where}", _set(doc, path, "huge")
        if isinstance(node, str):
            yield f"number@{where}", _set(doc, path, "number")
        if isinstance(node, list):
            yield f"null-item@{where}", _set(doc, path, "null-item")
            yield f"object@{where}", _set(doc, path, "object")
        if isinstance(node, dict):
            yield f"string@{where}", _set(doc, path, "string")
            yield f"list@{where}", _set(doc, path, "list")


def cases() -> Iterator[tuple[str, str, dict]]:
    """(id, kind, document) for every corpus document and every mutation of it."""
    for i, doc in enumerate(load_corpus()):
        kind = doc["kind"]
        name = f"{i}:{kind}/{(doc.get('metadata') or {}).get('name')}"
        yield name, kind, doc
        for mid, mutated in mutations(doc):
            yield f"{name}:{mid}", kind, mutated


def verdict(schema_dir: Path, kind: str, doc: dict) -> bool:
    """Whether the schema of kind in schema_dir accepts doc."""
    import jsonschema

    cache = verdict.__dict__.setdefault("cache", {})
    key = (str(schema_dir), kind)
    if key not in cache:
        schema = json.loads((schema_dir / f"{kind.lower()}.json").read_text())
        cache[key] = jsonschema.validators.validator_for(schema)(schema)
    return cache[key].is_valid(doc)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--record"]:
        schema_dir = Path(argv[1])
        out = {cid: verdict(schema_dir, kind, doc) for cid, kind, doc in cases()}
        accepted = sorted(cid for cid, ok in out.items() if ok)
        VERDICTS.write_text(json.dumps({"cases": len(out), "accepted": accepted}, indent=0) + "\n")
        print(f"recorded {len(out)} verdicts ({len(accepted)} accepted) in {VERDICTS}")
        return 0
    docs = build_corpus()
    with CORPUS.open("w") as f:
        f.write("# The schema verdict corpus; rebuilt by tests/schemas/corpus.py.\n")
        _yaml.dump_all(docs, f)
    print(f"wrote {len(docs)} documents to {CORPUS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
