/**
 * Requests exactly as the Triton HTTP client (tritonclient.http, with geventhttpclient) writes them
 * on the wire: no Content-Type, compact JSON, `inference-header-content-length` when any input is
 * binary, the raw tensor bytes right after the JSON header. Recorded from the real client; the tests
 * build the same bytes for their own tensors.
 */
import { connect } from 'node:net';
import { INPUT_NAME, OUTPUT_NAME } from '../../src/contract/index.js';

export interface WireInput {
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
  /** Send the tensor as binary data (the client's default) or as JSON `data`. */
  readonly binary: boolean;
}

export interface WireOutput {
  /** InferRequestedOutput(name, binary_data=...); undefined: no outputs listed (the client then asks for binary outputs). */
  readonly binary?: boolean;
}

/** The body and extra headers of client.infer(model, [input], outputs=...). */
export function tritonInferBody(input: WireInput, output: WireOutput = {}): { body: Buffer; headerLength?: number } {
  const tensor: Record<string, unknown> = { name: INPUT_NAME, shape: input.shape, datatype: 'UINT8' };
  if (input.binary) tensor.parameters = { binary_data_size: input.bytes.length };
  else tensor.data = Array.from(input.bytes);
  const request: Record<string, unknown> = { inputs: [tensor] };
  if (output.binary === undefined) request.parameters = { binary_data_output: true };
  else request.outputs = [{ name: OUTPUT_NAME, parameters: { binary_data: output.binary } }];
  const json = Buffer.from(JSON.stringify(request));
  return input.binary ? { body: Buffer.concat([json, input.bytes]), headerLength: json.length } : { body: json };
}

/** The request bytes, headers in the client's order and case. */
export function tritonRequest(port: number, path: string, body?: { body: Buffer; headerLength?: number }): Buffer {
  const lines = [`${body === undefined ? 'GET' : 'POST'} ${path} HTTP/1.1`, 'user-agent: python/gevent-http-client-2.0.8'];
  if (body?.headerLength !== undefined) lines.push(`inference-header-content-length: ${body.headerLength}`);
  lines.push(`host: localhost:${port}`);
  if (body !== undefined) lines.push(`content-length: ${body.body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body?.body ?? Buffer.alloc(0)]);
}

export interface WireResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

function tryParse(raw: Buffer): WireResponse | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  const body = raw.subarray(end + 4);
  const length = Number(headers['content-length']);
  return body.length < length ? undefined : { status: Number(statusLine.split(' ')[1]), headers, body: body.subarray(0, length) };
}

/** Sends the bytes on a fresh connection and reads one response with a content-length. */
export function send(port: number, request: Buffer): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => { socket.destroy(); reject(new Error('no answer within 10 s')); });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const response = tryParse(Buffer.concat(chunks));
      if (response !== undefined) { socket.destroy(); resolve(response); }
    });
    socket.on('error', reject);
    socket.write(request);
  });
}

/** What InferResult does: the JSON header, then each binary output's FP32 little-endian values. */
export function readInferResult(response: WireResponse): { header: { outputs: { name: string; shape: number[]; data?: number[]; parameters?: { binary_data_size?: number } }[] }; values: number[] } {
  const headerLength = response.headers['inference-header-content-length'];
  const jsonEnd = headerLength === undefined ? response.body.length : Number(headerLength);
  const header = JSON.parse(response.body.subarray(0, jsonEnd).toString('utf8')) as ReturnType<typeof readInferResult>['header'];
  const [output] = header.outputs;
  if (output?.parameters?.binary_data_size === undefined) return { header, values: output?.data ?? [] };
  const bytes = response.body.subarray(jsonEnd, jsonEnd + output.parameters.binary_data_size);
  return { header, values: Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4)) };
}
