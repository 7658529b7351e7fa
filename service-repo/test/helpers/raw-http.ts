/** Raw HTTP/1.1 over a TCP socket: for requests no HTTP client would send (malformed on purpose). */
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function parse(raw: Buffer): RawResponse {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete HTTP response: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  const body = raw.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
  return { status: Number(statusLine.split(' ')[1]), headers, body: (length === undefined ? body : body.subarray(0, length)).toString('utf8') };
}

/** Sends `request` as it is and reads one response (until the server closes or the body is complete). */
export function rawRequest(port: number, request: string | Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = (): void => {
      socket.destroy();
      try { resolve(parse(Buffer.concat(chunks))); } catch (error) { reject(error instanceof Error ? error : new Error(String(error))); }
    };
    socket.setTimeout(10_000, () => { reject(new Error('no answer within 10 s')); socket.destroy(); });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      try {
        const response = parse(Buffer.concat(chunks));
        if (Buffer.byteLength(response.body) >= Number(response.headers['content-length'] ?? Infinity)) finish();
      } catch { /* not complete yet */ }
    });
    socket.on('end', finish);
    // The server may close while we still write (an oversized header): the answer is already in.
    socket.on('error', () => { if (chunks.length > 0) finish(); else reject(new Error('connection failed before any answer')); });
    socket.write(request);
  });
}

/** A well-formed request: Host and Connection: close added, Content-Length when there is a body. */
export function httpRequest(method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Buffer {
  const all: Record<string, string> = { host: 'localhost', connection: 'close', ...headers };
  if (body !== undefined && all['content-length'] === undefined && all['transfer-encoding'] === undefined) all['content-length'] = String(Buffer.byteLength(body));
  const head = `${method} ${path} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body ?? '')]);
}
