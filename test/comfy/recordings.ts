import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Read the recorded ComfyUI traffic in ../shared/comfyui-transcripts (the truth the client follows). */
export const TRANSCRIPTS = '/work/shared/comfyui-transcripts';
export const VERSIONS = ['v0.3.65', 'v0.8.0'] as const;

export type RecordedLine = {
  dir: string;
  text?: string;
  kind?: string;
  data?: string;
  method?: string;
  url?: string;
  req_body?: string;
  status?: number;
  resp_body?: string;
};

export function readRecording(version: string, name: string): RecordedLine[] {
  return readFileSync(join(TRANSCRIPTS, version, name), 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as RecordedLine);
}

/** The HTTP exchange that follows a `note: case: <name>` line. */
export function recordedCase(version: string, file: string, caseName: string): RecordedLine {
  const lines = readRecording(version, file);
  const at = lines.findIndex((line) => line.dir === 'note' && line.text === `case: ${caseName}`);
  const exchange = lines.slice(at + 1).find((line) => line.dir === 'http');
  if (at < 0 || !exchange) throw new Error(`no case ${caseName} in ${version}/${file}`);
  return exchange;
}

export function readBinary(version: string, name: string): Buffer {
  return readFileSync(join(TRANSCRIPTS, version, name));
}
