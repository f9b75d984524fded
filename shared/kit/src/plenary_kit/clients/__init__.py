"""Clients of one service's operations that several services call the same way."""
