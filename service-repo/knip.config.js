// Dead code and unused dependencies (`npm run knip`, run by CI's lint job). Entry points are
// what is started or loaded by path: knip cannot see Fastify's autoload, the worker thread that
// OnnxModel starts from a URL, the init container's import of dist/dvc-pull, or the browser page.
/** @type {import('knip').KnipConfig} */
export default {
  // src/server.ts (package.json's main and start script) and Jest's test environment
  // (jest.config.js) knip finds by itself.
  entry: [
    'src/build.ts',
    // Autoloaded by @fastify/autoload (src/app.ts).
    'src/plugins/{app,external}/*.ts',
    'src/routes/**/{index,autohooks}.ts',
    // new Worker(new URL('./inference-worker.js')) in src/inference/onnx-model.ts.
    'src/inference/inference-worker.ts',
    // Imported by path by the Kubernetes init container (deploy/k8s/components/model-from-dvc).
    'src/dvc-pull/index.ts',
    'scripts/*.ts',
    'bench/*.ts',
    'test/**/*.test.ts',
    'src/**/*.test.ts',
    // The browser page, served as it is from public/.
    'public/app.js',
    'deploy/compose-run.mjs',
  ],
  project: ['src/**/*.ts', 'test/**/*.{ts,mjs}', 'scripts/**/*.ts', 'bench/**/*.ts', 'public/**/*.js', 'deploy/**/*.mjs', '*.js'],
  ignoreDependencies: [
    // Resolved with createRequire(...).resolve('onnxruntime-web') to serve its files (plugins/external/static.ts).
    'onnxruntime-web',
    // Imported by computed module paths, one per kind (test/deploy/k8s-validate.ts).
    'kubernetes-models',
  ],
  // The page imports onnxruntime-web from the URL the service serves it at.
  ignoreUnresolved: ['/ort/ort.wasm.min.mjs'],
  ignoreBinaries: [
    // Started by test/integration/replicas (apt's haproxy; the suite skips without it).
    'haproxy',
  ],
};
