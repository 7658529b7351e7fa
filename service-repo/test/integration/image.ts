/**
 * The service image under testcontainers: find an engine, prepare the bundle the image is built
 * with, build it from the Dockerfile (or take a prebuilt one) and start it the way it is deployed
 * (read-only root filesystem, /tmp in memory, non-root, an init as PID 1).
 *
 * Environment:
 *   PLANET_SVC_IMAGE  test this image instead of building one (MODEL_DIR must then name its bundle)
 *   MODEL_DIR         a real bundle (model.onnx, model.json, golden.json); default: the tiny test bundle
 *   REQUIRE_DOCKER    true: fail, instead of skipping, when no engine answers (CI sets it)
 *   TESTCONTAINERS_RYUK_DISABLED  defaults to true here (see below)
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Inside the build context and kept there by .dockerignore (see the Dockerfile's MODEL_BUNDLE_DIR). */
const CONTEXT_BUNDLE = '.cache/integration-bundle';
const SERVICE_PORT = 8080;
const BUNDLE_FILES = ['model.onnx', 'model.json', 'golden.json'];
const STARTUP_TIMEOUT_MS = 180_000;

// Ryuk, the reaper container, must be pulled from a registry, which machines without one cannot do;
// these tests stop their container themselves. Set TESTCONTAINERS_RYUK_DISABLED=false to use it.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

export interface Golden {
  readonly name: string;
  readonly jpeg: string;
  readonly probabilities: number[];
}

export interface Bundle {
  readonly dir: string;
  readonly card: { name: string; version: string; labels: string[]; input: { size: number } };
  readonly golden: Golden[];
  readonly source: string;
}

/** Whether a container engine answers, and why not when it does not. */
export async function probeEngine(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    // Resolves once a strategy (DOCKER_HOST, the socket, ~/.testcontainers.properties) answers a ping.
    await getContainerRuntimeClient();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

export const dockerRequired = (): boolean => ['1', 'true', 'yes'].includes((process.env.REQUIRE_DOCKER ?? '').toLowerCase());

/**
 * The tiny bundle, written by the service's own test helper in a separate Node process: ONNX Runtime
 * hands back typed arrays of the main realm, which Jest's sandboxed realm does not recognise.
 */
async function writeTinyBundleOutOfProcess(dir: string): Promise<void> {
  const helper = pathToFileURL(join(PACKAGE_ROOT, 'test', 'helpers', 'tiny-bundle.ts')).href;
  const script = `const { writeTinyBundle } = await import(${JSON.stringify(helper)}); await writeTinyBundle(${JSON.stringify(dir)});`;
  await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PACKAGE_ROOT });
}

/** Copies MODEL_DIR, or writes the tiny bundle, into the build context; returns what the image serves. */
export async function prepareBundle(): Promise<Bundle> {
  const target = join(PACKAGE_ROOT, CONTEXT_BUNDLE);
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  const modelDir = process.env.MODEL_DIR;
  if (modelDir !== undefined && modelDir !== '') {
    for (const file of BUNDLE_FILES) await cp(join(resolve(modelDir), file), join(target, file));
  } else {
    await writeTinyBundleOutOfProcess(target);
  }
  return readBundle(target, modelDir === undefined || modelDir === '' ? 'tiny test bundle' : resolve(modelDir));
}

export async function readBundle(dir: string, source: string): Promise<Bundle> {
  const card = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as Bundle['card'];
  const golden = JSON.parse(await readFile(join(dir, 'golden.json'), 'utf8')) as Golden[];
  return { dir, card, golden, source };
}

/** Builds the image from the Dockerfile with the bundle in CONTEXT_BUNDLE; returns its name. */
export async function buildImage(tag: string): Promise<string> {
  await GenericContainer.fromDockerfile(PACKAGE_ROOT)
    .withBuildArgs({ MODEL_BUNDLE_DIR: CONTEXT_BUNDLE })
    .build(tag, { deleteOnExit: false });
  return tag;
}

/** GenericContainer with a read-only root filesystem, which its builder has no method for. */
class ReadOnlyContainer extends GenericContainer {
  constructor(image: string) {
    super(image);
    this.hostConfig.ReadonlyRootfs = true;
    this.hostConfig.Init = true;
  }
}

/** Starts the image as it is deployed and waits until it reports ready. */
export function startService(image: string, environment: Record<string, string> = {}): Promise<StartedTestContainer> {
  return new ReadOnlyContainer(image)
    .withExposedPorts(SERVICE_PORT)
    .withTmpFs({ '/tmp': 'rw,size=64m' })
    .withEnvironment({ LOG_LEVEL: 'warn', ...environment })
    .withWaitStrategy(Wait.forHttp('/health/ready', SERVICE_PORT).forStatusCode(200))
    .withStartupTimeout(STARTUP_TIMEOUT_MS)
    .start();
}

export function baseUrl(container: StartedTestContainer): string {
  return `http://${container.getHost()}:${container.getMappedPort(SERVICE_PORT)}`;
}
