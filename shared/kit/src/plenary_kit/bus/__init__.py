"""NATS plumbing: connections, the FastStream broker, retries and dead letters, request/reply."""
