"""The index's durables (one per producer stream) and the tenant cleanup."""

from plenary_contracts.catalog import identity
from plenary_contracts.streams import consumer, consumers_of
from plenary_kit.service import Runtime

from ..application.cleanup import forget_tenant
from ..application.indexing import index_batch

INDEX_PREFIX = "audit_index_"


def register(runtime: Runtime, batch_size: int) -> None:
    for spec in consumers_of("audit"):
        if spec.durable.startswith(INDEX_PREFIX):
            runtime.consume_stream(spec, index_batch, batch_size=batch_size)
    runtime.consume(consumer("audit_tenant_cleanup"), [identity.TENANT_DELETED], forget_tenant)
