// Installs kubectl VERSION for linux/amd64 at PATH, checked against the sha256 that dl.k8s.io
// publishes beside it; for CI images that have Node but no kubectl (or curl).
//   node deploy/k8s/install-kubectl.mjs v1.32.4 /usr/local/bin/kubectl
import { createHash } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';

const [version, target] = process.argv.slice(2);
if (!/^v1\.\d+\.\d+$/.test(version ?? '') || !target) {
  console.error('usage: node install-kubectl.mjs v1.X.Y PATH');
  process.exit(2);
}
const url = `https://dl.k8s.io/release/${version}/bin/linux/amd64/kubectl`;
const get = async (address) => {
  const response = await fetch(address);
  if (!response.ok) throw new Error(`${address}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
};
const [binary, sum] = await Promise.all([get(url), get(`${url}.sha256`)]);
const actual = createHash('sha256').update(binary).digest('hex');
if (actual !== sum.toString().trim()) throw new Error(`${url}: sha256 ${actual}, expected ${sum.toString().trim()}`);
// Written beside the target, then renamed: never a half-written binary on PATH.
await writeFile(`${target}.partial`, binary, { mode: 0o755 });
await rename(`${target}.partial`, target);
console.log(`kubectl ${version} -> ${target} (sha256 ${actual})`);
