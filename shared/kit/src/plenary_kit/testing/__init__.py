"""Real PostgreSQL and nats-server for tests: environment URL, else local binaries, else testcontainers."""
