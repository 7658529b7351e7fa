#!/usr/bin/env bash
# Runs every test of both parts (installing them first if needed) and stops at the first failing part.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> modeling-repo: npm test"
(cd modeling-repo && npm test)
echo "==> service-repo: npm test"
(cd service-repo && npm test)
