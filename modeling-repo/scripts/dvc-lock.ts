/** `npm run dvc:lock`: see docs/dvc.md. Thin wrapper; the logic lives in src/dvc/lock-cli.ts. */
import { dvcLockCommand } from '../src/dvc/index.js';

try {
  await dvcLockCommand(process.cwd(), process.argv.slice(2), (line) => {
    console.log(line);
  });
} catch (error) {
  console.error(`dvc:lock: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
