"""Prometheus metrics every service exposes on /metrics."""

from prometheus_client import Counter, Gauge, Histogram

HANDLER_SECONDS = Histogram(
    "plenary_handler_seconds", "Time spent in a command, query or event handler", ["handler", "outcome"]
)
OUTBOX_PUBLISHED = Counter("plenary_outbox_published_total", "Events the relay published", ["schema"])
OUTBOX_OLDEST_SECONDS = Gauge(
    "plenary_outbox_oldest_unpublished_seconds", "Age of the oldest unpublished outbox row", ["schema"]
)
DEAD_LETTERS = Counter("plenary_dead_letters_total", "Messages a consumer dead-lettered", ["consumer"])
CONSUMER_PENDING = Gauge("plenary_consumer_pending", "Messages waiting for a durable consumer", ["consumer"])
