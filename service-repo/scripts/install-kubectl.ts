/**
 * Installs kubectl VERSION for linux/amd64 at PATH, checked against the sha256 that dl.k8s.io
 * publishes beside it; for CI images that have Node but no kubectl (or curl).
 *   npx tsx scripts/install-kubectl.ts v1.32.4 .cache/kubectl
 */
import { createHash } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';

async function get(address: string): Promise<Buffer> {
  const response = await fetch(address);
  if (!response.ok) throw new Error(`${address}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

async function install(version: string, target: string): Promise<void> {
  const url = `https://dl.k8s.io/release/${version}/bin/linux/amd64/kubectl`;
  const [binary, sum] = await Promise.all([get(url), get(`${url}.sha256`)]);
  const expected = sum.toString().trim();
  const actual = createHash('sha256').update(binary).digest('hex');
  if (actual !== expected) throw new Error(`${url}: sha256 ${actual}, expected ${expected}`);
  // Written beside the target, then renamed: never a half-written binary on PATH.
  await writeFile(`${target}.partial`, binary, { mode: 0o755 });
  await rename(`${target}.partial`, target);
  console.log(`kubectl ${version} -> ${target} (sha256 ${actual})`);
}

const [version = '', target = ''] = process.argv.slice(2);
if (!/^v1\.\d+\.\d+$/.test(version) || target === '') {
  console.error('usage: npx tsx scripts/install-kubectl.ts v1.X.Y PATH');
  process.exitCode = 2;
} else {
  await install(version, target).catch((error: unknown) => {
    console.error(`install-kubectl: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
