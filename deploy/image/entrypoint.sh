#!/bin/sh
# The image's entrypoint.
#   <service>                 run one process of that service (identity, events, ..., gateway)
#   (no argument)             the service named by PLENARY_SERVICE
#   provision                 plenary migrate, plenary streams apply, plenary seed (each safe to run again)
#   wait-provisioned <service>  return once that service's schema is at its head revision and its durable
#                             consumers exist (a Kubernetes init container)
#   anything else             run as a command: `plenary doctor`, `plenary dlq list`, `sh`
set -eu

root="$(cd "$(dirname "$0")/../.." && pwd)"  # /app in the image
service="${1:-${PLENARY_SERVICE:-}}"
[ "$#" -gt 0 ] && shift

case "$service" in
  "")
    echo "usage: <service> | provision | wait-provisioned <service> | <command>; services:$(for d in "$root"/services/*/; do printf ' %s' "$(basename "$d")"; done)" >&2
    exit 2
    ;;
  provision)
    plenary migrate
    plenary streams apply
    exec plenary seed
    ;;
  wait-provisioned)
    exec python "$root/deploy/image/wait_provisioned.py" "$@"
    ;;
esac

if [ -d "$root/services/$service" ]; then
  exec python -m "$(echo "$service" | tr - _)_svc" "$@"
fi
exec "$service" "$@"
