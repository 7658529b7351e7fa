#!/usr/bin/env bash
# The delivery half of the GitLab pipelines (docs/ci.md), end to end on this machine:
#   1. a container engine (../shared/tools/container-engine/setup.sh when none answers)
#   2. the pipeline files checked with gitlab-ci-local (.ci/gitlab-ci-check.sh)
#   3. train the smoke model in modeling-repo            (npm run train -- exp=smoke)
#   4. push it to a DVC remote in a temp folder          (npm run model:push -- url=FOLDER)
#   5. serve that remote over HTTP on 127.0.0.1, promote the pointers to service-repo and pull
#      the bundle there over HTTP                       (npm run model:promote / model:pull -- url=URL)
#   6. build the image with that bundle inside           (as the GitLab `build` job)
#   7. the integration tests against that image, golden check on the smoke model
#   8. deploy it with service-repo/deploy/deploy.sh to the local engine, check it, deploy again
# Steps 3-8 work on a scratch copy of both packages (their node_modules linked), so the checkout's
# models/ and pointer files stay as they are. Needs `npm ci` done in both packages (.ci/run does it).
# Prints `N passed, N failed` last: each step's checks count once, each Jest test once.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=$(mktemp -d /tmp/e2e-delivery.XXXXXX)
IMAGE="${E2E_IMAGE:-planet-svc:e2e}"
DEPLOY_NAME=planet-svc-e2e
started=$(date +%s)
passed=0
failed=0
failures=()
server_pid=""

header() { echo; echo "=== [delivery] $*"; }
ok() { passed=$((passed + 1)); echo "--- ok: $1"; }
bad() { failed=$((failed + 1)); failures+=("$1"); echo "--- FAILED: $1"; }
check() { # check NAME COMMAND... : one pass/fail
  local name=$1; shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}
# needs NAME FLAG: a step whose prerequisite failed is counted as failed, not silently skipped.
needs() { [ "$2" = 1 ] && return 0; bad "$1 (not run: an earlier step failed)"; return 1; }

cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  docker rm -f "$DEPLOY_NAME" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---------------------------------------------------------------- 1. engine
engine_answers() { docker info >/dev/null 2>&1; }

ensure_engine() {
  if ! command -v docker >/dev/null 2>&1 && command -v podman >/dev/null 2>&1; then
    # podman's CLI speaks docker's; the deploy script and checks call `docker`.
    mkdir -p "$WORK/bin" && printf '#!/bin/sh\nexec podman "$@"\n' >"$WORK/bin/docker" && chmod +x "$WORK/bin/docker"
    export PATH="$WORK/bin:$PATH"
  fi
  if command -v docker >/dev/null 2>&1 && engine_answers; then
    echo "engine already answering (DOCKER_HOST=${DOCKER_HOST:-default})"
  else
    local setup="$ROOT/../shared/tools/container-engine/setup.sh"
    [ -x "$setup" ] || { echo "no engine answers and $setup is missing"; return 1; }
    echo "no engine answers: running $setup"
    # Its scratch space goes to our temp folder: shared/ may be read-only. Started from /, because
    # the engine's service keeps the caller's working directory and every container monitor it starts
    # inherits it: from a clone that is later deleted, containers would no longer start.
    (cd / && BUILD_DIR="$WORK/engine-build" "$setup") >"$WORK/engine.env" || return 1
    eval "$(grep '^export ' "$WORK/engine.env")"
    cat "$WORK/engine.env"
    if ! command -v docker >/dev/null 2>&1; then
      mkdir -p "$WORK/bin" && printf '#!/bin/sh\nexec podman "$@"\n' >"$WORK/bin/docker" && chmod +x "$WORK/bin/docker"
      export PATH="$WORK/bin:$PATH"
    fi
  fi
  export TESTCONTAINERS_RYUK_DISABLED="${TESTCONTAINERS_RYUK_DISABLED:-true}"
  export TESTCONTAINERS_HOST_OVERRIDE="${TESTCONTAINERS_HOST_OVERRIDE:-localhost}"
  engine_answers && docker version --format 'engine: {{.Server.Version}} (API {{.Server.APIVersion}})'
}

# ---------------------------------------------------------------- 3-5. model
# Both packages without their build outputs and local models, node_modules linked back.
stage_sandbox() {
  local part
  mkdir -p "$WORK/repo" || return 1
  tar -C "$ROOT" --exclude=node_modules --exclude=runs --exclude=.cache --exclude=dist --exclude=coverage \
    --exclude='models/model.onnx' --exclude='models/model.json' --exclude='models/golden.json' --exclude='.dvc/cache' \
    -cf - modeling-repo service-repo | tar -C "$WORK/repo" -xf - || return 1
  for part in modeling-repo service-repo; do
    [ -d "$ROOT/$part/node_modules" ] || { echo "$part/node_modules missing: run npm ci in $part first"; return 1; }
    ln -s "$ROOT/$part/node_modules" "$WORK/repo/$part/node_modules"
  done
}

train_smoke() {
  (cd "$WORK/repo/modeling-repo" && npm run train -- exp=smoke) || return 1
  ls -l "$WORK/repo/modeling-repo/models/"{model.onnx,model.json,golden.json}
}

push_model() {
  (cd "$WORK/repo/modeling-repo" && npm run model:push -- "url=$WORK/dvc-remote") || return 1
  echo "remote objects: $(find "$WORK/dvc-remote/files/md5" -type f | wc -l)"
  [ "$(find "$WORK/dvc-remote/files/md5" -type f | wc -l)" -ge 3 ]
}

serve_remote() {
  node "$ROOT/.ci/static-http.mjs" "$WORK/dvc-remote" >"$WORK/http.url" 2>"$WORK/http.log" &
  server_pid=$!
  for _ in $(seq 1 50); do [ -s "$WORK/http.url" ] && break; sleep 0.1; done
  REMOTE_URL=$(cat "$WORK/http.url")
  echo "DVC remote served at $REMOTE_URL"
  [ -n "$REMOTE_URL" ]
}

pull_model() {
  (cd "$WORK/repo/modeling-repo" && npm run model:promote -- ../service-repo) || return 1
  (cd "$WORK/repo/service-repo" && npm run model:pull -- "url=$REMOTE_URL") || return 1
}

same_bytes() {
  local f a b rc=0
  for f in model.onnx model.json golden.json; do
    a=$(md5sum <"$WORK/repo/modeling-repo/models/$f" | cut -d' ' -f1)
    b=$(md5sum <"$WORK/repo/service-repo/models/$f" | cut -d' ' -f1)
    echo "    $f  exported $a  pulled $b"
    [ "$a" = "$b" ] || rc=1
  done
  return "$rc"
}

# ---------------------------------------------------------------- 6. image
# podman behind the Docker API (the local engine) rather than Docker itself (GitLab's dind).
is_podman() {
  command -v podman >/dev/null 2>&1 &&
    docker version --format '{{range .Server.Components}}{{.Name}} {{end}}' 2>/dev/null | grep -qi podman
}

build_image() {
  local context="$WORK/repo/service-repo"
  if is_podman; then
    # podman writes OCI images unless told otherwise, and OCI drops HEALTHCHECK.
    podman build --format docker --build-arg MODEL_BUNDLE_DIR=models -t "$IMAGE" "$context"
  else
    docker build --build-arg MODEL_BUNDLE_DIR=models -t "$IMAGE" "$context"
  fi
}

image_facts() {
  local user health
  user=$(docker image inspect -f '{{.Config.User}}' "$IMAGE") || return 1
  # podman 4.3's Docker API leaves the healthcheck out of image inspect; its own CLI shows it.
  if is_podman; then health=$(podman image inspect -f '{{json .HealthCheck}}' "$IMAGE")
  else health=$(docker image inspect -f '{{json .Config.Healthcheck}}' "$IMAGE"); fi
  echo "    user: $user; healthcheck: $health"
  docker images "$IMAGE" --format '    size: {{.Size}}'
  [ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ] && echo "$health" | grep -q '/health/ready'
}

# ---------------------------------------------------------------- 7. integration tests
integration_tests() {
  local out="$WORK/integration.json" p f rc
  (cd "$ROOT/service-repo" && PLANET_SVC_IMAGE="$IMAGE" REPLICA_IMAGE="$IMAGE" MODEL_DIR="$WORK/repo/service-repo/models" REQUIRE_DOCKER=true \
    npm run test:integration -- --ci --json --outputFile="$out")
  rc=$?
  if [ -s "$out" ]; then
    read -r p f < <(node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites)' "$out")
  else p=0; f=1; fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
  [ "$f" -eq 0 ] || failures+=("integration tests against $IMAGE")
  echo "--- integration tests against $IMAGE: $p passed, $f failed"
}

# ---------------------------------------------------------------- 8. deploy
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

deploy() {
  PLANET_SVC_IMAGE="$IMAGE" PLANET_SVC_PORT="$DEPLOY_PORT" PLANET_SVC_NAME="$DEPLOY_NAME" DEPLOY_PULL=0 READY_TIMEOUT_S=120 \
    bash "$ROOT/service-repo/deploy/deploy.sh"
}

deployed_answers() {
  local base="http://127.0.0.1:$DEPLOY_PORT" version chip
  version=$(node -p 'require(process.argv[1]).version' "$WORK/repo/service-repo/models/model.json")
  curl -fsS "$base/health/ready" && echo || return 1
  # One golden chip, sent the way a user would: curl -F.
  node -e 'const g=require(process.argv[1])[0];require("fs").writeFileSync(process.argv[2],Buffer.from(g.jpeg,"base64"))' \
    "$WORK/repo/service-repo/models/golden.json" "$WORK/chip.jpg"
  chip=$(curl -fsS -F "images=@$WORK/chip.jpg" "$base/v1/predict") || return 1
  echo "    predict: ${chip:0:200}"
  echo "$chip" | grep -q "\"version\":\"$version\"" && echo "$chip" | grep -q '"probabilities"'
}

deployed_as_composed() {
  local facts
  facts=$(docker inspect -f '{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.Init}} {{.HostConfig.RestartPolicy.Name}} {{.Config.User}}' "$DEPLOY_NAME") || return 1
  echo "    read-only init restart user: $facts"
  [[ "$facts" == "true true unless-stopped node" ]]
}

# The image's own HEALTHCHECK, inside the deployed container: podman runs it on demand (it has no
# timer without systemd); Docker runs it on its interval, so wait for "healthy".
healthcheck_passes() {
  if is_podman; then podman healthcheck run "$DEPLOY_NAME" && echo "    podman healthcheck run: healthy"; return; fi
  local status
  for _ in $(seq 1 60); do
    status=$(docker inspect -f '{{.State.Health.Status}}' "$DEPLOY_NAME")
    [ "$status" = healthy ] && echo "    health: $status" && return 0
    sleep 1
  done
  echo "    health: $status"; return 1
}

# ---------------------------------------------------------------- run
engine=0; sandbox=0; model=0; remote=0; pulled=0; image=0; deployed=0

header "1. container engine"
check "container engine answers" ensure_engine && engine=1

header "2. GitLab pipeline files (gitlab-ci-local)"
bash "$ROOT/.ci/gitlab-ci-check.sh" 2>&1 | tee "$WORK/gitlab-ci-check.log"
last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$WORK/gitlab-ci-check.log" | tail -1)
if [ -n "$last" ]; then p=${last%% passed*}; f=${last#*, }; f=${f%% failed*}; else p=0; f=1; fi
passed=$((passed + p)); failed=$((failed + f))
[ "$f" -eq 0 ] || failures+=("GitLab pipeline files")

header "3. smoke model (modeling-repo: npm run train -- exp=smoke)"
check "scratch copy of both packages" stage_sandbox && sandbox=1
needs "smoke model trained and exported" "$sandbox" && check "smoke model trained and exported" train_smoke && model=1

header "4-5. DVC: push to a folder remote, serve it over HTTP, promote and pull into service-repo"
needs "model:push to the folder remote" "$model" && check "model:push to the folder remote" push_model && remote=1
needs "remote served over HTTP on 127.0.0.1" "$remote" && check "remote served over HTTP on 127.0.0.1" serve_remote || remote=0
needs "model:promote + model:pull over HTTP" "$remote" && check "model:promote + model:pull over HTTP" pull_model && pulled=1
needs "pulled bundle byte-identical to the exported one (md5)" "$pulled" &&
  check "pulled bundle byte-identical to the exported one (md5)" same_bytes || pulled=0

header "6. image $IMAGE with the pulled model inside"
if needs "image built" "$((engine * pulled))"; then
  t0=$(date +%s)
  check "image built" build_image && image=1
  echo "    build took $(( $(date +%s) - t0 )) s"
fi
needs "image runs as non-root with a HEALTHCHECK on /health/ready" "$image" &&
  check "image runs as non-root with a HEALTHCHECK on /health/ready" image_facts

header "7. integration tests against $IMAGE (golden check on the smoke model, 3 replicas behind HAProxy)"
needs "integration tests" "$image" && integration_tests

header "8. deploy with service-repo/deploy/deploy.sh to the local engine"
DEPLOY_PORT=$(free_port)
needs "deploy.sh: container up and ready" "$image" && check "deploy.sh: container up and ready" deploy && deployed=1
needs "deployed service answers ready and a curl -F predict with the smoke model" "$deployed" &&
  check "deployed service answers ready and a curl -F predict with the smoke model" deployed_answers
needs "deployed with the compose file's settings (read-only, init, restart, non-root)" "$deployed" &&
  check "deployed with the compose file's settings (read-only, init, restart, non-root)" deployed_as_composed
needs "the image's HEALTHCHECK passes in the deployed container" "$deployed" &&
  check "the image's HEALTHCHECK passes in the deployed container" healthcheck_passes
needs "deploy again (replaces the container) and ready" "$deployed" && check "deploy again (replaces the container) and ready" deploy

echo
echo "delivery pipeline took $(( $(date +%s) - started )) s"
[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
