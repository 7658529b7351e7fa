#!/usr/bin/env bash
# One-command demo: installs both parts, trains the smoke model (synthetic data, < 1 min), and
# serves the exported bundle with the service. Stop it with Ctrl-C.
#   PORT=8080 npm run demo
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PORT=${PORT:-8080}
HOST=${HOST:-127.0.0.1}

bash scripts/setup.sh
echo "==> training the smoke model (modeling-repo: npm run train -- exp=smoke)"
(cd modeling-repo && npm run --silent train -- exp=smoke)
echo "==> serving modeling-repo/models with the service (service-repo: npm run start)"
echo "    web page:   http://$HOST:$PORT/"
echo "    Swagger UI: http://$HOST:$PORT/docs"
chip="${PLANET_DATA_DIR:-$ROOT/../shared/planet}/train-jpg/train_0.jpg"
[ -f "$chip" ] || chip=/path/to/chip.jpg
echo "    try:        curl -F images=@$chip http://$HOST:$PORT/v1/predict"
cd service-repo
MODEL_DIR="$ROOT/modeling-repo/models" PORT="$PORT" HOST="$HOST" exec npm run --silent start
