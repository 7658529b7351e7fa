/** `npm run model:pull`: fetch the bundle named by models/*.dvc; see docs/model-delivery.md. */
import { modelPull } from '../src/dvc-pull/index.js';

try {
  await modelPull(process.cwd(), process.argv.slice(2), (line) => {
    console.log(line);
  });
} catch (error) {
  console.error(`model:pull: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
