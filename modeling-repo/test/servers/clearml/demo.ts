import { startClearMLTestServer, type ClearMLTestServer, type RecordedCall } from './clearml-test-server.js';

const DEFAULT_PORT = 18008;
const SUMMARY_KEYS = ['name', 'type', 'task', 'project', 'uri', 'override_model_id'];
const SHORT_ID = 8;
const SHOWN_METRICS = 6;
const ID_LENGTH = 32;
const HTTP_OK = 200;
const ENDPOINT_COLUMN = 26;

/** A one-line summary of a call's body: the fields that tell calls apart. */
export function describeCall(call: RecordedCall, index: number): string {
  const body = call.body;
  let detail: string;
  if (Array.isArray(body)) {
    const metrics = new Set(body.map((event) => `${String((event as Record<string, unknown>).metric)}/${String((event as Record<string, unknown>).variant)}`));
    const names = [...metrics];
    detail = `${body.length} scalar events (${names.slice(0, SHOWN_METRICS).join(', ')}${names.length > SHOWN_METRICS ? `, +${names.length - SHOWN_METRICS} more` : ''})`;
  } else {
    const fields = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    detail = SUMMARY_KEYS.filter((key) => typeof fields[key] === 'string')
      .map((key) => `${key}=${String(fields[key]).length === ID_LENGTH ? `${String(fields[key]).slice(0, SHORT_ID)}…` : String(fields[key])}`)
      .join(' ');
    if (Array.isArray(fields.hyperparams)) detail += ` ${fields.hyperparams.length} hyperparameters`;
    if (Array.isArray(fields.configuration)) detail += ` ${fields.configuration.length} configuration object(s)`;
  }
  const outcome = call.status === HTTP_OK ? 'OK' : `${call.status} ${call.error ?? ''}`;
  return `[${index}] ${call.endpoint.padEnd(ENDPOINT_COLUMN)} ${outcome}  ${detail}`.trimEnd();
}

/**
 * Starts the local ClearML test server on loopback for a manual run: prints the environment
 * lines to use in another shell, then every call as it arrives, in order.
 */
export async function runDemoServer(argv: readonly string[], print: (line: string) => void): Promise<ClearMLTestServer> {
  const port = Number(argv[0] ?? process.env.CLEARML_DEMO_PORT ?? DEFAULT_PORT);
  const server = await startClearMLTestServer({ port, onCall: (call, index) => { print(describeCall(call, index)); } });
  print(`Local ClearML test server: API and web ${server.apiUrl}, files ${server.filesUrl}.`);
  print('Every request is validated against clearml-server\'s schema. In another shell, from modeling-repo/:');
  for (const [key, value] of Object.entries(server.env())) print(`  export ${key}=${value}`);
  print('  npm run train -- exp=smoke');
  print('Calls, in order (Ctrl-C to stop):');
  return server;
}
