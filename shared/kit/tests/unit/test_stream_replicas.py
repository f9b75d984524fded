"""Stream replicas come from a setting: one copy on the embedded nats-server, three on a JetStream cluster."""

from plenary_contracts.streams import STREAMS
from plenary_kit.bus.topology import stream_config
from plenary_kit.settings import Settings


def test_streams_keep_one_copy_by_default_as_the_embedded_single_server_needs(monkeypatch):
    monkeypatch.delenv("PLENARY_STREAM_REPLICAS", raising=False)
    assert Settings().stream_replicas == 1
    assert {stream_config(spec).num_replicas for spec in STREAMS} == {1}


def test_a_cluster_sets_three_replicas_and_every_stream_config_carries_them(monkeypatch):
    monkeypatch.setenv("PLENARY_STREAM_REPLICAS", "3")
    replicas = Settings().stream_replicas
    assert replicas == 3
    assert {stream_config(spec, replicas).num_replicas for spec in STREAMS} == {3}
