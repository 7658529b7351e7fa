/** `npm run model:promote`: see docs/dvc.md. Thin wrapper; the logic lives in src/dvc/cli.ts. */
import { modelPromote } from '../src/dvc/index.js';

try {
  await modelPromote(process.cwd(), process.argv.slice(2), (line) => {
    console.log(line);
  });
} catch (error) {
  console.error(`model:promote: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
