"""Concrete contracts, one module per owning service."""
