import type { IncomingMessage } from 'node:http';
import { apiErrors } from './api-error.ts';

/** A file sent as `files[n]` in a multipart body. */
export type Upload = {
  /** The `n` of `files[n]`; discord.js's `attachments[].id` refers to it as a string. */
  index: number;
  filename: string;
  contentType: string | undefined;
  data: Buffer;
};

export type RequestBody = {
  /** The JSON body, or the multipart `payload_json`; undefined when there was none. */
  payload: unknown;
  files: Upload[];
  multipart: boolean;
};

export async function readRaw(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** JSON or multipart (files[n] + payload_json), parsed with the platform's own FormData parser. */
export async function parseBody(raw: Buffer, contentType: string | undefined): Promise<RequestBody> {
  if (contentType?.startsWith('multipart/form-data')) {
    const form = await new Request('http://fake.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
    const files: Upload[] = [];
    let payload: unknown;
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') payload = parseJson(value);
        continue;
      }
      const index = /^files\[(\d+)\]$/.exec(field)?.[1] ?? /^file(\d*)$/.exec(field)?.[1];
      if (index === undefined) continue;
      files.push({
        index: Number(index || 0),
        filename: value.name || `file${index}`,
        contentType: value.type || undefined,
        data: Buffer.from(await value.arrayBuffer()),
      });
    }
    return { payload, files, multipart: true };
  }
  if (raw.length === 0) return { payload: undefined, files: [], multipart: false };
  return { payload: parseJson(raw.toString('utf8')), files: [], multipart: false };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw apiErrors.invalidJson();
  }
}
