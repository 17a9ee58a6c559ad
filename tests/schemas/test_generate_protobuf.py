"""schemas/generate_protobuf.py: joining a generated.proto with its Go struct tags, on a made-up package."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PROTO = """\
syntax = "proto2";

package k8s.io.api.demo.v1;

// Widget is made up for this test.
message Widget {
  optional string name = 1;

  optional int32 replicas = 2;

  repeated string tags = 3;

  map<string, string> labels = 4;

  optional WidgetSource source = 5;

  optional Extra extra = 6;
}

// +protobuf.nullable=true
// +protobuf.options.(gogoproto.goproto_stringer)=false
message Extra {
  // items, if empty, will result in an empty slice

  repeated string items = 1;
}

message WidgetSource {
  optional string path = 1;
}
"""

GO = """\
package v1

type Widget struct {
\tmetav1.TypeMeta `json:",inline"`
\tName string `json:"name" protobuf:"bytes,1,opt,name=name"`
\tReplicas *int32 `json:"replicas,omitempty" protobuf:"varint,2,opt,name=replicas"`
\tTags []string `json:"tagList" protobuf:"bytes,3,rep,name=tags"`
\tLabels map[string]string `json:"labels,omitempty" protobuf:"bytes,4,rep,name=labels"`
\tWidgetSource `json:",inline" protobuf:"bytes,5,opt,name=source"`
\tExtra Extra `json:"extra,omitempty" protobuf:"bytes,6,opt,name=extra"`
}

type WidgetSource struct {
\tPath string `json:"path,omitempty" protobuf:"bytes,1,opt,name=path"`
}

type Extra []string
"""


@pytest.fixture
def gen(monkeypatch):
    spec = importlib.util.spec_from_file_location("kubelite_generate_protobuf", REPO / "schemas" / "generate_protobuf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "API_PACKAGES", ["demo/v1"])
    monkeypatch.setattr(module, "MACHINERY_PACKAGES", [])
    monkeypatch.setattr(module, "ROOTS", [])
    return module


def _tree(tmp_path: Path, proto: str, go: str) -> Path:
    pkg = tmp_path / "api" / "demo" / "v1"
    pkg.mkdir(parents=True)
    (pkg / "generated.proto").write_text(proto)
    (pkg / "types.go").write_text(go)
    (pkg / "types_test.go").write_text(go.replace("Widget", "Ignored"))
    return tmp_path / "api"


def test_fields_take_json_names_and_modes_from_the_go_tags(gen, tmp_path):
    tables, unwrap = gen.build(_tree(tmp_path, PROTO, GO), tmp_path)
    assert tables["k8s.io.api.demo.v1.Widget"] == (
        (1, "name", "string", "v"),  # no omitempty: kept when empty
        (2, "replicas", "int32", "p"),  # a pointer: a set zero is kept
        (3, "tagList", "string", "R"),  # the JSON name, not the proto name; no omitempty: null when nil
        (4, "labels", "map:string:string", "m"),
        (5, "", "k8s.io.api.demo.v1.WidgetSource", "i"),  # inline: flattened into Widget
        (6, "extra", "k8s.io.api.demo.v1.Extra", "o"),
    )
    assert unwrap == {"k8s.io.api.demo.v1.Extra"}
    assert tables["k8s.io.api.demo.v1.Extra"] == ((1, "items", "string", "r"),)
    assert "Ignored" not in repr(tables)


def test_a_proto_field_no_go_field_explains_stops_the_generator(gen, tmp_path):
    proto = PROTO.replace("  optional Extra extra = 6;\n", "  optional Extra extra = 6;\n\n  optional string color = 7;\n")
    with pytest.raises(SystemExit, match=r"Widget.color = 7"):
        gen.build(_tree(tmp_path, proto, GO), tmp_path)


def test_the_rendered_module_is_python_literals(gen, tmp_path):
    tables, unwrap = gen.build(_tree(tmp_path, PROTO, GO), tmp_path)
    namespace: dict = {}
    exec(gen.render(tables, unwrap), namespace)
    assert namespace["MESSAGES"] == tables
    assert namespace["UNWRAP"] == sorted(unwrap)
