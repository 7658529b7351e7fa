/** `npm run dvc:collect`: the DVC pipeline's collection step; see docs/dvc.md. */
import { dvcCollect } from '../src/dvc/index.js';

try {
  await dvcCollect(process.cwd(), process.argv.slice(2), (line) => {
    console.log(line);
  });
} catch (error) {
  console.error(`dvc:collect: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
