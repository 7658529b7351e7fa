/** `npm run dvc:pull`: see docs/dvc.md. Thin wrapper; the logic lives in src/dvc/lock-cli.ts. */
import { dvcPullCommand } from '../src/dvc/index.js';

try {
  await dvcPullCommand(process.cwd(), process.argv.slice(2), (line) => {
    console.log(line);
  });
} catch (error) {
  console.error(`dvc:pull: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
