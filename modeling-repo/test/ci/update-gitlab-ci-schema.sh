#!/usr/bin/env bash
# Refreshes gitlab-ci.schema.json beside this script: GitLab's own CI/CD configuration schema
# (gitlab-org/gitlab app/assets/javascripts/editor/schema/ci.json, MIT), taken from the copy that
# the gitlab-ci-local npm package ships (src/schema/schema.js) and written as plain JSON.
#   bash test/ci/update-gitlab-ci-schema.sh [gitlab-ci-local version, default 4.60.1]
set -euo pipefail
version="${1:-4.60.1}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "gitlab-ci-local@$version" >/dev/null && tar -xzf gitlab-ci-local-*.tgz)
cat >"$work/convert.mjs" <<'JS'
import { writeFileSync, renameSync } from 'node:fs';
const [, , source, target, version] = process.argv;
const { schema } = await import(source);
const out = {
  $comment: `GitLab CI/CD configuration schema (gitlab-org/gitlab app/assets/javascripts/editor/schema/ci.json, MIT) as shipped in gitlab-ci-local@${version}; regenerate with update-gitlab-ci-schema.sh`,
  ...schema,
};
writeFileSync(`${target}.tmp`, `${JSON.stringify(out, null, 1)}\n`);
renameSync(`${target}.tmp`, target);
JS
node "$work/convert.mjs" "$work/package/src/schema/schema.js" "$here/gitlab-ci.schema.json" "$version"
echo "wrote $here/gitlab-ci.schema.json from gitlab-ci-local@$version"
