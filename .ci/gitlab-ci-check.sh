#!/usr/bin/env bash
# Checks the GitLab pipelines with gitlab-ci-local (which validates against GitLab's CI JSON schema
# and evaluates rules the way GitLab does) in a scratch git repository holding only the CI files:
#   - every file is valid and lists its jobs;
#   - a branch that changes only service-repo/ triggers only the service child pipeline, one that
#     changes only modeling-repo/ only the modeling child (rules:changes with compare_to main);
#   - on the default branch the service child offers the manual deploy; on other branches it does not.
# Prints `N passed, N failed` last. Needs git and npm (gitlab-ci-local comes from the npm registry).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
GCL_VERSION="${GCL_VERSION:-4.60.1}"   # 4.75 needs Node 22
WORK=$(mktemp -d /tmp/gitlab-ci-check.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0

check() { # check NAME COMMAND...
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "--- ok: $name"
  else failed=$((failed + 1)); echo "--- FAILED: $name"; fi
}

# Installed once per version into a cache folder (npm exec would ask the registry on every call).
GCL_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/planet-ci/gitlab-ci-local-$GCL_VERSION"
install_gcl() {
  [ -x "$GCL_DIR/node_modules/.bin/gitlab-ci-local" ] && return 0
  mkdir -p "$GCL_DIR" && echo '{"private": true}' >"$GCL_DIR/package.json" &&
    npm install --prefix "$GCL_DIR" --no-audit --no-fund --loglevel=error --save-exact "gitlab-ci-local@$GCL_VERSION" >/dev/null
}
gcl() { (cd "$WORK/repo" && "$GCL_DIR/node_modules/.bin/gitlab-ci-local" "$@" 2>&1); }

# jobs_listed ARGS... : job names gitlab-ci-local --list prints, space-separated, sorted.
jobs_listed() { gcl --list "$@" | awk 'f { print $1 } /^name +description/ { f = 1 }' | sort | tr '\n' ' ' | sed 's/ $//'; }

expect_jobs() { # expect_jobs "EXPECTED" ARGS...
  local expected=$1; shift
  local got; got=$(jobs_listed "$@")
  echo "    jobs: [$got]"
  [ "$got" = "$expected" ]
}

commit() { git -C "$WORK/repo" -c user.email=ci@localhost -c user.name=ci commit -q -m "$1"; }

# A repository with the CI files and lockfiles only, an origin that looks like GitLab, main as its HEAD.
setup_repo() {
  local repo="$WORK/repo"
  mkdir -p "$repo/modeling-repo" "$repo/service-repo"
  cp .gitlab-ci.yml "$repo/"
  for part in modeling-repo service-repo; do cp "$part/.gitlab-ci.yml" "$part/package-lock.json" "$repo/$part/"; done
  git -C "$repo" init -q -b main && git -C "$repo" add -A && commit "CI files" || return 1
  git -C "$repo" remote add origin https://gitlab.example.com/planet/planet-svc.git
  git -C "$repo" update-ref refs/remotes/origin/main HEAD
  git -C "$repo" symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/main
}

on_branch_changing() { # on_branch_changing BRANCH PATH : a branch off main with one changed file
  git -C "$WORK/repo" checkout -q main && git -C "$WORK/repo" checkout -q -b "$1" &&
    mkdir -p "$WORK/repo/$(dirname "$2")" && echo "// change" >>"$WORK/repo/$2" && git -C "$WORK/repo" add -A && commit "change $2"
}

valid() { # valid [--file F]: schema-valid (gitlab-ci-local stops with "Invalid .gitlab-ci.yml" otherwise)
  local out; out=$(gcl --list "$@")
  echo "$out" | sed 's/^/    /' | tail -12
  echo "$out" | grep -q 'json schema validated' && ! echo "$out" | grep -qi 'invalid'
}

echo "=== gitlab-ci-local $GCL_VERSION: GitLab pipelines"
check "gitlab-ci-local $GCL_VERSION installed (npm)" install_gcl
check "scratch repository with the CI files" setup_repo
check "modeling-repo/.gitlab-ci.yml is valid (GitLab CI schema)" valid --file modeling-repo/.gitlab-ci.yml
check "service-repo/.gitlab-ci.yml is valid (GitLab CI schema)" valid --file service-repo/.gitlab-ci.yml
check "main: service child lists lint, tests, model, build and the manual deploys (compose, Kubernetes)" \
  expect_jobs "build deploy deploy:k8s lint model test:integration test:unit" --file service-repo/.gitlab-ci.yml
on_branch_changing service-only service-repo/src/x.ts >/dev/null
check ".gitlab-ci.yml is valid (GitLab CI schema)" valid
check "branch changing service-repo/ only: parent triggers the service child only" expect_jobs "service"
check "branch: service child has no deploy job" \
  expect_jobs "build lint model test:integration test:unit" --file service-repo/.gitlab-ci.yml
on_branch_changing modeling-only modeling-repo/src/x.ts >/dev/null
check "branch changing modeling-repo/ only: parent triggers the modeling child only" expect_jobs "modeling"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
