"""The fast path (kubelite.cli.fast): plain reads answered without click or the API server,
byte for byte as the full command answers them, and everything else left to the full command."""
from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from kubelite.api import yamlemit
from tests.conftest import KUBELITE, T0, _clean_env, snapshot


class Raw:
    """One run's exit code and its two streams as bytes."""

    def __init__(self, p: subprocess.CompletedProcess):
        self.rc, self.out, self.err = p.returncode, p.stdout, p.stderr

    def __eq__(self, other) -> bool:
        return (self.rc, self.out, self.err) == (other.rc, other.out, other.err)

    def __repr__(self) -> str:
        return f"Raw(rc={self.rc}, out={self.out[:300]!r}, err={self.err[:300]!r})"


def run(argv: list, env: dict) -> Raw:
    return Raw(subprocess.run([KUBELITE, *argv], capture_output=True, env=_clean_env(env), timeout=30))


def argv_of(args) -> list:
    return shlex.split(args) if isinstance(args, str) else list(args)


def both(args, state: Path | None, env: dict | None = None) -> tuple[Raw, Raw]:
    """(as the console script runs it, with the fast path turned off) for the same command line."""
    argv = (["--state-dir", str(state)] if state is not None else []) + argv_of(args)
    env = env or {}
    return run(argv, env), run(argv, {**env, "KUBELITE_NO_FASTPATH": "1"})


def imports(args, state: Path | None, env: dict | None = None) -> set[str]:
    """The modules the real command imports (Python's own -X importtime report, on stderr)."""
    argv = (["--state-dir", str(state)] if state is not None else []) + argv_of(args)
    p = subprocess.run([KUBELITE, *argv], capture_output=True, timeout=30,
                       env=_clean_env({**(env or {}), "PYTHONPROFILEIMPORTTIME": "1"}))
    return {line.rsplit("|", 1)[1].strip() for line in p.stderr.decode().splitlines() if line.startswith("import time:")}


def pod(name: str, ns: str = "default") -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
            "spec": {"containers": [{"name": "c", "image": "nginx:1.27", "args": ["-c", "echo 'hi'\nexit 0\n"]}]}}


@pytest.fixture
def cluster(api, booted: Path) -> Path:
    """Pods, a deployment, a node and config maps written by kubelite, plus files that are not
    quite what kubelite writes: a hand edit that still reads, and several that do not."""
    api.create(pod("web"))
    api.create(pod("api"))
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
    api.create(pod("tool", "dev"))
    api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "dev"},
                "data": {"a": "1", "note": "ünïcode ✓", "script": "line 1\nline 2\n"}})
    api.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}, "spec": {}})
    api.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
                "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                         "template": {"metadata": {"labels": {"app": "web"}},
                                      "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}})
    pods = booted / "registry/pods/default"
    text = (pods / "web.yaml").read_text()
    (pods / "hand.yaml").write_text("# edited by hand\n" + text.replace("name: web\n  namespace", "name: hand\n  namespace"))
    (pods / "copied.yaml").write_text(text)  # metadata.name says web
    (pods / "service.yaml").write_text(text.replace("kind: Pod", "kind: Service").replace("name: web\n  namespace", "name: service\n  namespace"))
    (pods / "truncated.yaml").write_text(text.split("spec:")[0].replace("name: web\n  namespace", "name: truncated\n  namespace"))
    (pods / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: broken\n")
    (pods / "latin1.yaml").write_bytes(text.replace("name: web\n  namespace", "name: latin1\n  namespace").encode() + b"# \xe9\n")
    (pods / "dup.yaml").write_text(text.replace("name: web\n  namespace", "name: dup\n  namespace") + "kind: Pod\n")
    (pods / "folder.yaml").mkdir()
    return booted


# Command lines the fast path answers: the same bytes as the full command, and click never loads.
ANSWERED = [
    "get pod web -o name",
    "get pods web -o name",
    "get po web --output name",
    "get Pod web --output=name",
    "get pod/web -o name",
    "get pods/web po/api -o name",
    "get pod web api web -o name",
    "get pod web -o json",
    "get pod web api -o json",
    "get pod web -o yaml",
    "get pods,deploy web -o name",
    "get deploy web -o yaml",
    "get deployments.apps/web pod/web -o name",
    "get pod tool -n dev -o name",
    "get pod tool --namespace dev -o yaml",
    "get pod tool --namespace=dev -o name",
    "-n dev get pod tool -o name",
    "-o name get pod web",
    "get -o name pod -n dev tool",
    "get cm cfg -n dev -o json",
    "get cm cfg -n dev -o yaml",
    "get node n1 -o name",
    "get no n1 -n dev -o yaml",
    "get ns dev -o name",
    "get pod hand -o yaml",  # not as kubelite writes it: read through ruamel.yaml, as the store reads it
    # Lists of names: from file names, without opening a file.
    "get pods -o name",
    "get pods -A -o name",
    "-A get po --output=name",
    "get pods,deploy -n dev -o name",
    "get pods,cm --all-namespaces -o name",
    "get nodes -o name",
    "get pods,svc -o name",
]


@pytest.mark.parametrize("args", ANSWERED)
def test_the_fast_path_prints_what_the_full_command_prints(cluster, args):
    fast, full = both(args, cluster)
    assert full.rc == 0 and full.err == b"" and full.out
    assert fast == full
    assert "click" not in imports(args, cluster)


@pytest.mark.parametrize("args", ["get pod web -o name", "get pod tool -n dev -o yaml", "get node n1 -o json"])
def test_the_fast_path_loads_neither_click_nor_the_api_server_nor_ruamel(cluster, args):
    mods = imports(args, cluster)
    assert "kubelite.cli.fast" in mods
    assert not {"click", "rich", "kubelite.cli.main", "kubelite.apiserver", "kubelite.store", "ruamel.yaml"} & mods


def test_a_list_of_names_comes_from_file_names_so_a_file_that_does_not_parse_is_named(cluster):
    fast, full = both("get pods -o name", cluster)
    assert fast == full
    names = fast.out.decode().split()
    assert "pod/broken" in names and "pod/web" in names and "pod/folder" not in names  # a folder is no object
    assert fast.err == b""
    mods = imports("get pods -A -o name", cluster)
    assert "kubelite.cli.fast" in mods and not {"click", "kubelite.apiserver", "kubelite.store.store", "ruamel.yaml"} & mods


def test_a_hand_edited_file_is_read_on_the_fast_path_through_the_stores_yaml_reader(cluster):
    mods = imports("get pod hand -o name", cluster)
    assert "ruamel.yaml" in mods and "click" not in mods


def test_the_state_directory_may_come_from_the_environment(cluster):
    env = {"KUBELITE_STATE_DIR": str(cluster)}
    fast, full = both("get pod web -o name", None, env)
    assert fast == full and full.out == b"pod/web\n"
    assert "click" not in imports("get pod web -o name", None, env)


def test_a_pinned_clock_keeps_the_fast_path(cluster):
    fast, full = both("get pod web -o name", cluster, {"KUBELITE_NOW": T0})
    assert fast == full and full.out == b"pod/web\n"
    assert "click" not in imports("get pod web -o name", cluster, {"KUBELITE_NOW": T0})


def test_the_fast_path_writes_nothing_and_neither_does_the_full_command(cluster, tmp_path):
    cache = tmp_path / "cache"
    env = {"KUBELITE_CACHE_DIR": str(cache)}
    before = snapshot(cluster)
    fast, full = both("get pod web api -o yaml", cluster, env)
    assert fast == full and full.rc == 0
    assert snapshot(cluster) == before
    assert not cache.exists()


# Command lines left to the full command: the same bytes either way, and click does the work.
LEFT = [
    # objects that are not there, or whose files are not the object their path names
    "get pod nope -o name",
    "get pod web nope -o name",
    "get pod/web svc/web -o name",
    "get pod web -n nope -o name",
    "get pod copied -o name",
    "get pod service -o name",
    "get pod truncated -o name",
    "get pod broken -o name",
    "get pod latin1 -o name",
    "get pod dup -o name",
    "get pod folder -o name",
    "get pod web broken -o json",
    # names that can address no object file
    "get pod .. -o name",
    "get pod .hidden -o name",
    "get pod a/b -o name",
    "get pod/a/b -o name",
    ["get", "pod", "a\nb", "-o", "name"],
    ["get", "pod", "x" * 231, "-o", "name"],
    ["get", "pod", "web", "-n", "..", "-o", "name"],
    ["get", "pod", "web", "-n", "a/b", "-o", "name"],
    # types it does not know, or shapes that are not a read of named objects
    "get foo web -o name",
    "get all web -o name",
    "get pods -o name -l app=web",  # a selector reads the objects
    "get svc -o name -n dev",  # none: "No resources found in dev namespace."
    "get pod web pod/api -o name",
    "get",
    "get pod",
    # another identity, another directory, another option or output
    "get pod web -o name --as alice",
    "get pod web -o name --as-group system:masters",
    "get pod web -o name --as alice --as-group system:masters",
    "get pod web -o name --token abc",
    "get pod web -o name --context other",
    "get pod web",
    "get pod web -o wide",
    "get pod web -o jsonpath={.metadata.name}",
    "get pod web -o=name",
    "get pod web -oname",
    "get pod web -o NAME",
    "get pod web -o name -o json",
    "get pod web -n dev -n default -o name",
    "get pod web -o name -l app=web",
    "get pod web -o name --ignore-not-found",
    "get pod web -o name -A",
    "get pod web -o name --watch",
    "get pod web -o name --",
    "get pod web -o name -h",
    "get pod web -o name -n",
    "get pod web -o name -n=dev",
    "get pod web -o name --namespace=",
    "describe pod web",
    "delete pod nope",
    "",
    "--help",
    "-h",
    "version",
    "version --client",
    "nosuchverb pod web -o name",
]


@pytest.mark.parametrize("args", LEFT)
def test_anything_else_is_left_to_the_full_command_which_answers_the_same(cluster, args):
    fast, full = both(args, cluster)
    assert fast == full
    assert "click" in imports(args, cluster)


@pytest.mark.parametrize("env", [{"KUBELITE_AS": "alice"}, {"KUBELITE_AS": ""}, {"KUBELITE_CONTEXT": "nope"},
                                 {"KUBELITE_NOW": "yesterday"}, {"_KUBELITE_COMPLETE": "bash_complete"}])
def test_settings_in_the_environment_that_change_the_answer_go_to_the_full_command(cluster, env):
    fast, full = both("get pod web -o name", cluster, env)
    assert fast == full
    assert "click" in imports("get pod web -o name", cluster, env)


def test_a_contexts_file_that_names_the_state_directory_goes_to_the_full_command(cluster, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(yamlemit.dump({"apiVersion": "v1", "kind": "Config", "current-context": "here",
                                     "contexts": [{"name": "here", "context": {"state-dir": str(cluster)}}]}))
    env = {"KUBELITE_CONFIG": str(config), "HOME": str(tmp_path)}
    fast, full = both("get pod web -o name", None, env)
    assert fast == full and full.out == b"pod/web\n"
    assert "click" in imports("get pod web -o name", None, env)
    fast, full = both("get pod web -o name --context here", None, {"HOME": str(tmp_path), "KUBELITE_CONFIG": str(config)})
    assert fast == full and full.out == b"pod/web\n"


def test_without_a_contexts_file_home_holds_the_state_directory(cluster, tmp_path):
    (tmp_path / ".kubelite").symlink_to(cluster)
    env = {"HOME": str(tmp_path), "KUBELITE_CONFIG": str(tmp_path / "none.yaml")}
    fast, full = both("get pod web -o name", None, env)
    assert fast == full and full.out == b"pod/web\n"
    assert "click" not in imports("get pod web -o name", None, env)


def test_a_state_directory_that_does_not_exist_yet_is_created_by_the_full_command(tmp_path):
    fast = run(["--state-dir", str(tmp_path / "a"), "get", "ns", "default", "-o", "name"], {})
    full = run(["--state-dir", str(tmp_path / "b"), "get", "ns", "default", "-o", "name"], {"KUBELITE_NO_FASTPATH": "1"})
    assert fast == full and full.out == b"namespace/default\n"
    assert (tmp_path / "a" / "registry").is_dir()


def test_arguments_that_are_not_utf8_are_refused_by_the_full_command(cluster):
    fast, full = both([b"get", b"pod", b"w\xffeb", b"-o", b"name"], cluster)
    assert fast == full and full.rc == 1


def test_an_output_stdout_cannot_encode_goes_to_the_full_command(cluster):
    fast, full = both("get cm cfg -n dev -o yaml", cluster, {"PYTHONIOENCODING": "ascii"})
    assert fast == full and full.rc != 0
