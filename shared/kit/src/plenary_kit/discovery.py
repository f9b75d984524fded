"""Find the installed services through the ``plenary.services`` entry points (no service imports another)."""

from importlib.metadata import entry_points

from plenary_contracts.services import SERVICES

from .service import ServiceSpec


def load_services(names: list[str] | None = None) -> list[ServiceSpec]:
    found = {ep.name: ep for ep in entry_points(group="plenary.services")}
    wanted = names or list(SERVICES)
    unknown = [n for n in wanted if n not in SERVICES]
    if unknown:
        raise KeyError(f"unknown service(s): {', '.join(unknown)}; known: {', '.join(SERVICES)}")
    missing = [n for n in wanted if n not in found]
    if missing:
        raise KeyError(f"service(s) not installed: {', '.join(missing)}")
    return [found[name].load() for name in wanted]
