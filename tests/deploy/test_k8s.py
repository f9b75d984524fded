"""deploy/k8s: each overlay builds with kustomize and validates against a pinned Kubernetes version, and says
what the code does (every service, its health endpoints and port, settings that exist) and what production
needs (two replicas or more, three stream replicas, autoscalers, network policies)."""

from typing import Any
from urllib.parse import urlparse

import kubernetes_validate
import pytest

from plenary_contracts.services import SERVICES

from .conftest import KUBERNETES_VERSION, OVERLAYS, ROOT

AUTOSCALED = {"gateway", "registration", "workflow", "checkin", "webhooks"}
DELIVERING = {"webhooks", "comms"}  # deliver to addresses on the internet


def of_kind(documents: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == kind}


def config(documents: list[dict[str, Any]]) -> dict[str, str]:
    maps = [
        doc for doc in documents if doc["kind"] == "ConfigMap" and doc["metadata"]["name"].startswith("plenary-config")
    ]
    assert len(maps) == 1
    return maps[0]["data"]


def pod(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def environment_names(workload: dict[str, Any]) -> set[str]:
    spec = pod(workload)
    containers = [*spec.get("initContainers", []), *spec["containers"]]
    return {each["name"] for container in containers for each in container.get("env", [])}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlay_validates_strictly_against_the_pinned_kubernetes_version(overlays, overlay):
    for document in overlays[overlay]:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_a_manifest_with_an_unknown_field_is_rejected(overlays):
    deployment = dict(of_kind(overlays["prod"], "Deployment")["gateway"])
    deployment["spec"] = {**deployment["spec"], "replicaz": 2}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_has_a_deployment_a_service_and_a_disruption_budget(overlays, overlay):
    documents = overlays[overlay]
    for kind in ("Deployment", "Service", "PodDisruptionBudget"):
        assert set(of_kind(documents, kind)) == set(SERVICES), kind
    for name, deployment in of_kind(documents, "Deployment").items():
        assert pod(deployment)["containers"][0]["args"] == [name]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_probes_ask_the_health_endpoints_on_the_port_the_service_listens_on(overlays, overlay, health_port_under):
    documents = overlays[overlay]
    settings = config(documents)
    for name, deployment in of_kind(documents, "Deployment").items():
        container = pod(deployment)["containers"][0]
        ports = {port["name"]: port["containerPort"] for port in container["ports"]}
        assert ports["health"] == health_port_under(name, settings), name
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "health"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "health"}
        assert container["startupProbe"]["httpGet"]["port"] == "health"
        service_ports = {port["name"]: port for port in of_kind(documents, "Service")[name]["spec"]["ports"]}
        assert service_ports["health"]["targetPort"] == "health"
    gateway = pod(of_kind(documents, "Deployment")["gateway"])["containers"][0]
    assert {"name": "http", "containerPort": 8080} in gateway["ports"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_environment_variable_is_a_setting(overlays, overlay, setting_names):
    documents = overlays[overlay]
    assert set(config(documents)) <= setting_names
    for workload in [*of_kind(documents, "Deployment").values(), *of_kind(documents, "Job").values()]:
        assert environment_names(workload) <= setting_names, workload["metadata"]["name"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_wait_for_the_provisioning_job_and_only_it_holds_the_administrative_url(overlays, overlay):
    documents = overlays[overlay]
    assert urlparse(config(documents)["PLENARY_DATABASE_URL"]).password is None
    job = of_kind(documents, "Job")["plenary-provision"]
    assert pod(job)["containers"][0]["args"] == ["provision"]
    secrets = {e["valueFrom"]["secretKeyRef"]["name"] for e in pod(job)["containers"][0]["env"]}
    assert "plenary-admin" in secrets
    for name, deployment in of_kind(documents, "Deployment").items():
        (wait,) = pod(deployment)["initContainers"]
        assert wait["args"] == ["wait-provisioned", name]
        references = [e["valueFrom"]["secretKeyRef"]["name"] for c in pod(deployment)["containers"] for e in c["env"]]
        assert set(references) == {"plenary-secrets"}, name


def test_streams_keep_one_copy_in_dev_and_three_in_prod(overlays):
    assert config(overlays["dev"])["PLENARY_STREAM_REPLICAS"] == "1"
    assert config(overlays["prod"])["PLENARY_STREAM_REPLICAS"] == "3"


def test_every_service_runs_two_replicas_or_more_in_prod(overlays):
    documents = overlays["prod"]
    autoscalers = of_kind(documents, "HorizontalPodAutoscaler")
    for name, deployment in of_kind(documents, "Deployment").items():
        if name in autoscalers:
            assert "replicas" not in deployment["spec"], f"{name}: its autoscaler owns the count"
            assert autoscalers[name]["spec"]["minReplicas"] >= 2, name
        else:
            assert deployment["spec"]["replicas"] >= 2, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_gateway_and_the_busiest_consumers_scale_on_cpu(overlays, overlay):
    autoscalers = of_kind(overlays[overlay], "HorizontalPodAutoscaler")
    assert set(autoscalers) == AUTOSCALED
    for name, autoscaler in autoscalers.items():
        assert autoscaler["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert autoscaler["spec"]["maxReplicas"] > autoscaler["spec"]["minReplicas"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_run_unprivileged_with_resources_and_budgets_allow_a_drain(overlays, overlay):
    documents = overlays[overlay]
    for name, deployment in of_kind(documents, "Deployment").items():
        spec = pod(deployment)
        assert spec["securityContext"]["runAsNonRoot"] is True
        for container in [*spec["initContainers"], *spec["containers"]]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
            assert "memory" in container["resources"]["limits"], name
    for budget in of_kind(documents, "PodDisruptionBudget").values():
        assert budget["spec"]["maxUnavailable"] == 1


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_deny_by_default_and_open_only_what_each_service_needs(overlays, overlay):
    policies = of_kind(overlays[overlay], "NetworkPolicy")
    everyone = {"matchLabels": {"app.kubernetes.io/part-of": "plenary"}}
    deny = policies["plenary-default-deny"]["spec"]
    assert deny["podSelector"] == everyone and deny["policyTypes"] == ["Ingress", "Egress"]
    assert "ingress" not in deny and "egress" not in deny
    platform = policies["plenary-platform-egress"]["spec"]
    assert platform["podSelector"] == everyone
    reached = {(port["protocol"], port["port"]) for rule in platform["egress"] for port in rule["ports"]}
    assert reached == {("UDP", 53), ("TCP", 53), ("TCP", 4222), ("TCP", 5432)}  # DNS, NATS, PostgreSQL
    own = {name: policy["spec"] for name, policy in policies.items() if name in SERVICES}
    assert set(own) == {"gateway"} | DELIVERING
    assert own["gateway"]["policyTypes"] == ["Ingress"]
    assert own["gateway"]["ingress"] == [{"ports": [{"protocol": "TCP", "port": "http"}]}]
    for name in DELIVERING:
        assert own[name]["policyTypes"] == ["Egress"]
        (rule,) = own[name]["egress"]
        (block,) = rule["to"]
        assert block["ipBlock"]["cidr"] == "0.0.0.0/0" and "10.0.0.0/8" in block["ipBlock"]["except"]


def test_the_readme_says_how_to_create_every_secret_key_the_manifests_read(overlays):
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Kubernetes", 1)[1].split("\n## ", 1)[0]
    for documents in overlays.values():
        for workload in [*of_kind(documents, "Deployment").values(), *of_kind(documents, "Job").values()]:
            for container in [*pod(workload).get("initContainers", []), *pod(workload)["containers"]]:
                for each in container.get("env", []):
                    assert each["valueFrom"]["secretKeyRef"]["key"] in section
