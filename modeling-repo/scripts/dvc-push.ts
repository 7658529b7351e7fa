/** `npm run dvc:push`: see docs/dvc.md. Thin wrapper; the logic lives in src/dvc/lock-cli.ts. */
import { dvcPushCommand } from '../src/dvc/index.js';

try {
  await dvcPushCommand(process.cwd(), process.argv.slice(2), (line) => {
    console.log(line);
  });
} catch (error) {
  console.error(`dvc:push: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
