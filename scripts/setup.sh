#!/usr/bin/env bash
# Installs both packages from their lockfiles (skipped when node_modules is newer than the lockfile).
set -euo pipefail
cd "$(dirname "$0")/.."
for part in modeling-repo service-repo; do
  if [ ! -d "$part/node_modules" ] || [ "$part/package-lock.json" -nt "$part/node_modules/.package-lock.json" ]; then
    echo "==> npm ci in $part"
    (cd "$part" && npm ci --no-audit --no-fund)
  fi
done
