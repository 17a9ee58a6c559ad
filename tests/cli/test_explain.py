"""`kubelite explain TYPE[.field.path]`: field documentation from schemas/."""
from __future__ import annotations

from tests.conftest import one_line


def test_explain_a_kind_lists_its_top_level_fields(kl):
    rc, out, err = kl("explain deployment")
    assert (rc, err) == (0, "")
    assert out.startswith("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nDESCRIPTION:\n")
    assert "FIELDS:\n" in out
    for f in ("apiVersion\t<string>\n", "kind\t<string>\n", "metadata\t<ObjectMeta>\n", "spec\t<DeploymentSpec> -required-",
              "status\t<DeploymentStatus>\n"):
        assert f"  {f}" in out


def test_explain_a_field_path_through_short_names(kl):
    rc, out, err = kl("explain deploy.spec.strategy.rollingUpdate")
    assert (rc, err) == (0, "")
    assert "FIELD: rollingUpdate <RollingUpdateDeployment>" in out
    assert "  maxSurge\t<IntOrString>" in out
    assert "  maxSurge\t<" in out and "  maxUnavailable\t<" in out


def test_explain_a_list_field_describes_its_items_and_marks_required_fields(kl):
    rc, out, _ = kl("explain pods.spec.containers")
    assert rc == 0
    assert out.startswith("KIND:       Pod\nVERSION:    v1\n")
    assert "FIELD: containers <[]Container>" in out
    assert "  name\t<string> -required-" in out
    assert "  image\t<string>" in out


def test_explain_recursive_prints_nested_fields(kl):
    rc, out, _ = kl("explain deploy.spec.template --recursive")
    assert rc == 0
    assert "\n  metadata\t<ObjectMeta>\n    annotations\t<map[string]string>\n" in out
    assert "\n  spec\t<PodSpec> -required-\n" in out
    assert "\n    containers\t<[]Container> -required-\n" in out


def test_explaining_a_field_that_does_not_exist_is_an_error(kl):
    rc, out, err = kl("explain deploy.spec.nope")
    assert (rc, out) == (1, "") and one_line(err) == 'error: field "nope" does not exist'


def test_explaining_an_unknown_type_is_an_error(kl):
    rc, out, err = kl("explain widgets")
    assert (rc, out) == (1, "") and one_line(err) == 'error: the server doesn\'t have a resource type "widgets"'


def test_explain_the_new_kinds_names_their_types(kl):
    rc, out, _ = kl("explain ingress.spec.rules.http.paths")
    assert rc == 0 and out.startswith("GROUP:      networking.k8s.io\nKIND:       Ingress\nVERSION:    v1\n")
    assert "FIELD: paths <[]HTTPIngressPath>" in out and "  pathType\t<string> -required-" in out
    rc, out, _ = kl("explain hpa.spec.metrics.resource.target")
    assert rc == 0 and "GROUP:      autoscaling\nKIND:       HorizontalPodAutoscaler\nVERSION:    v2\n" in out
    assert "  averageValue\t<Quantity>" in out and "  averageUtilization\t<integer>" in out
    rc, out, _ = kl("explain pods.spec.containers.resources")
    assert "  limits\t<map[string]Quantity>" in out
