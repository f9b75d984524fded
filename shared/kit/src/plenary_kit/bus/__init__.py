"""NATS plumbing: connections, batched consumers, the request server, retries and dead letters, request/reply."""
