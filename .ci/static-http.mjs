// A read-only HTTP view of a folder on 127.0.0.1, as a web server in front of a DVC remote serves
// it: GET and HEAD of files, 404 for anything else. Prints its URL once listening, then serves until
// killed. Used by e2e-delivery.sh to make a folder remote reachable over HTTP.
//   node .ci/static-http.mjs FOLDER [PORT]
/* global process, console */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, normalize, resolve, sep } from 'node:path';

const root = resolve(process.argv[2] ?? '.');
const port = Number(process.argv[3] ?? 0);

/** The file a URL path names, or undefined when it would leave the root. */
function fileFor(urlPath) {
  const relative = normalize(decodeURIComponent(urlPath.split('?')[0] ?? '')).replace(/^[/\\]+/, '');
  const file = join(root, relative);
  return relative !== '' && file.startsWith(root + sep) ? file : undefined;
}

const server = createServer((req, res) => {
  const file = fileFor(req.url ?? '/');
  const reply = (status) => { res.writeHead(status).end(); };
  if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405);
  if (file === undefined) return reply(404);
  stat(file).then((info) => {
    if (!info.isFile()) return reply(404);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': info.size });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
    return undefined;
  }, () => reply(404));
  return undefined;
});
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : port}`);
});
