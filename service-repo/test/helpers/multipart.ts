/** Builds multipart/form-data payloads for `fastify.inject` with the platform's FormData. */
export interface Upload {
  field?: string;
  name: string;
  bytes: Uint8Array;
  type?: string;
}

export async function multipart(uploads: Upload[], fields: Record<string, string> = {}): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const u of uploads) form.append(u.field ?? 'images', new Blob([u.bytes], { type: u.type ?? 'application/octet-stream' }), u.name);
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return { payload: Buffer.from(await request.arrayBuffer()), headers: { 'content-type': request.headers.get('content-type')! } };
}
