# syntax=docker/dockerfile:1.7
# One image for every Plenary service: `docker run IMAGE <service>` runs that service (or PLENARY_SERVICE when
# no argument is given), `docker run IMAGE provision` migrates, applies the streams and seeds, and
# `docker run IMAGE plenary <command>` runs the CLI. Build from the repository root: `docker build -t plenary .`
ARG PYTHON_VERSION=3.11
ARG UV_VERSION=0.13.10

FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv

# --- build: the locked dependencies first (a layer that changes only with uv.lock), then the workspace ---
FROM python:${PYTHON_VERSION}-slim-bookworm AS build
COPY --from=uv /uv /bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --frozen --no-dev --no-install-workspace
COPY pyproject.toml uv.lock ./
COPY shared shared
COPY services services
COPY src src
COPY deploy/image deploy/image
# The workspace is installed editable: each service finds its migrations beside its sources.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev \
    && python -m compileall -q shared services src deploy/image

# --- runtime: the interpreter, the virtualenv and the sources, owned by root and run by an unprivileged user ---
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime
RUN groupadd --system --gid 10001 plenary \
    && useradd --system --uid 10001 --gid plenary --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin plenary
COPY --from=build /app /app
WORKDIR /app
# Listen on every interface (a container's health checks and the gateway are reached from outside it).
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PLENARY_HTTP_HOST=0.0.0.0 \
    PLENARY_LOG_JSON=true
USER 10001:10001
# The gateway's port, then the health ports (PLENARY_HEALTH_PORT_BASE + the service's index, identity first).
EXPOSE 8080 9100-9112
ENTRYPOINT ["/app/deploy/image/entrypoint.sh"]
