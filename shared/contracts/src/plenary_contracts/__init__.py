"""Plenary's contracts: the single source of subjects, payloads, routes, permissions and flags."""
