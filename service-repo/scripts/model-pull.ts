/** `npm run model:pull`: fetch the bundle named by models/*.dvc; see docs/model-delivery.md. */
import { modelPull } from '../src/dvc-pull/index.js';
import { exitWithUsage, wantsHelp } from '../src/config/index.js';

const USAGE = `usage: npm run model:pull [-- [remote=NAME] [url=URL] [POINTER.dvc ...]]

Fetches the model bundle named by the committed pointers (models/*.dvc, or the POINTER files given)
from the DVC remote (DVC_REMOTE_URL, else .dvc/config; remote= picks one by name, url= overrides it),
checks every md5 and writes the files beside their pointers. See docs/model-delivery.md.`;

if (wantsHelp(process.argv.slice(2))) exitWithUsage(USAGE);
try {
  await modelPull(process.cwd(), process.argv.slice(2), (line) => {
    console.log(line);
  });
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  // A command-line mistake gets the usage; a remote or md5 failure only its message.
  console.error(`model:pull: ${message}${message.startsWith('unknown option') ? `\n\n${USAGE}` : ''}`);
  process.exitCode = 1;
}
