#!/usr/bin/env bash
# Deploys planet-svc on this host from compose.yaml (beside this script): pull the image, recreate the
# container (`docker compose up -d`), then wait until /health/ready answers 200. GitLab's deploy job
# copies this folder to the host over SSH and runs it; the same script deploys to a local engine.
#
# Environment:
#   PLANET_SVC_IMAGE   image to run (compose.yaml's default otherwise)
#   PLANET_SVC_PORT    host port (8080); PLANET_SVC_NAME container name (planet-svc)
#   DEPLOY_PULL        1 (default): pull the image first; 0: use the engine's local copy
#   READY_TIMEOUT_S    how long to wait for readiness (120)
#   COMPOSE_FILE       the compose file (compose.yaml beside this script)
#   COMPOSE            force a compose implementation: plugin, standalone, podman, run
# Compose is `docker compose` (the plugin) when present, else `docker-compose` or `podman-compose`,
# else compose-run.mjs: the same file turned into `docker run` flags (needs node and the `yaml`
# package, i.e. a checkout of service-repo with its dependencies installed).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
compose_file="${COMPOSE_FILE:-$here/compose.yaml}"
port="${PLANET_SVC_PORT:-8080}"
name="${PLANET_SVC_NAME:-planet-svc}"
timeout_s="${READY_TIMEOUT_S:-120}"

log() { printf '[deploy %(%H:%M:%S)T] %s\n' -1 "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }

pick_compose() {
  if [ -n "${COMPOSE:-}" ]; then echo "$COMPOSE"
  elif docker compose version >/dev/null 2>&1; then echo plugin
  elif command -v docker-compose >/dev/null 2>&1; then echo standalone
  elif command -v podman-compose >/dev/null 2>&1; then echo podman
  else echo run
  fi
}

compose() {
  case "$impl" in
    plugin) docker compose -f "$compose_file" "$@" ;;
    standalone) docker-compose -f "$compose_file" "$@" ;;
    podman) podman-compose -f "$compose_file" "$@" ;;
    run) node "$here/compose-run.mjs" -f "$compose_file" "$@" ;;
    *) die "COMPOSE must be plugin, standalone, podman or run, got '$impl'" ;;
  esac
}

# 0 when GET url answers 2xx; curl or wget, whichever the host has.
http_ok() {
  if command -v curl >/dev/null 2>&1; then curl -fsS --max-time 3 -o /dev/null "$1" 2>/dev/null
  else wget -q -T 3 -O /dev/null "$1" 2>/dev/null
  fi
}

wait_ready() {
  local url="http://127.0.0.1:$port/health/ready" deadline=$((SECONDS + timeout_s))
  log "waiting for $url (up to ${timeout_s}s)"
  until http_ok "$url"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      docker logs --tail 50 "$name" >&2 || true
      die "$name not ready after ${timeout_s}s"
    fi
    if [ "$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" != true ]; then
      docker logs --tail 50 "$name" >&2 || true
      die "$name is not running"
    fi
    sleep 1
  done
  log "ready: $url"
}

main() {
  [ -f "$compose_file" ] || die "no compose file at $compose_file"
  command -v docker >/dev/null 2>&1 || die "docker CLI not found"
  docker info >/dev/null 2>&1 || die "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset})"
  impl="$(pick_compose)"
  log "compose: $impl; image: ${PLANET_SVC_IMAGE:-<compose default>}; port: $port"
  if [ "${DEPLOY_PULL:-1}" = 1 ]; then
    log "pulling"
    compose pull
  fi
  log "starting"
  compose up -d
  wait_ready
  docker ps --filter "name=^${name}\$" --format '{{.Names}} {{.Image}} {{.Status}} {{.Ports}}'
}

main "$@"
