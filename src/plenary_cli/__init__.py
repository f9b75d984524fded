"""The `plenary` command: run, migrate, provision and diagnose Plenary."""
