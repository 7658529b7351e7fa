/** `npm run model:push`: see docs/dvc.md. Thin wrapper; the logic lives in src/dvc/cli.ts. */
import { modelPush } from '../src/dvc/index.js';

try {
  const pointers = await modelPush(process.cwd(), process.argv.slice(2), (line) => {
    console.log(line);
  });
  console.log(`commit the pointers: git add ${pointers.join(' ')} models/.gitignore`);
} catch (error) {
  console.error(`model:push: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
