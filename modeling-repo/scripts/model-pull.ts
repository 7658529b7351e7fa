/** `npm run model:pull`: see docs/dvc.md. Thin wrapper; the logic lives in src/dvc/cli.ts. */
import { modelPull } from '../src/dvc/index.js';

try {
  await modelPull(process.cwd(), process.argv.slice(2), (line) => {
    console.log(line);
  });
} catch (error) {
  console.error(`model:pull: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
