import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { basename, extname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import sharp from 'sharp';
import type { Dirs } from './nodes.ts';

/**
 * input/, output/ and temp/ as ComfyUI's folder_paths sees them: annotated names,
 * /view's path rules, /upload/image's rename-or-dedupe, and the LoadImage listing.
 */
export type DirType = keyof Dirs;
const dirTypes: readonly DirType[] = ['input', 'output', 'temp'];
export const isDirType = (t: string): t is DirType => (dirTypes as readonly string[]).includes(t);

/** "x.png [output]" → { name: "x.png", type: "output" }. */
export function parseAnnotated(name: string): { name: string; type: DirType | undefined } {
  const m = /^(.*) \[(input|output|temp)\]$/.exec(name);
  return m ? { name: m[1] as string, type: m[2] as DirType } : { name, type: undefined };
}

const inside = (root: string, path: string): boolean => path === root || path.startsWith(root + sep);

export function resolveAnnotated(dirs: Dirs, annotated: string, defaultType: DirType): string | undefined {
  const { name, type } = parseAnnotated(annotated);
  const root = dirs[type ?? defaultType];
  const path = resolve(root, name);
  if (!inside(root, path) || !existsSync(path) || !statSync(path).isFile()) return undefined;
  return path;
}

const imageExtensions = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp', '.tiff']);
const videoExtensions = new Set(['.mp4', '.webm', '.mkv', '.mov', '.gif', '.avi']);

export function listInput(dirs: Dirs): { images: string[]; videos: string[] } {
  let files: string[] = [];
  try {
    files = readdirSync(dirs.input).filter((f) => statSync(join(dirs.input, f)).isFile());
  } catch {
    files = [];
  }
  files.sort();
  return {
    images: files.filter((f) => imageExtensions.has(extname(f).toLowerCase())),
    videos: files.filter((f) => videoExtensions.has(extname(f).toLowerCase())),
  };
}

const mimeTypes: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.json': 'application/json',
  '.txt': 'text/plain',
};
// aiohttp's FileResponse guesses by extension; ComfyUI forces script-capable types to a download.
const contentType = (file: string): string => mimeTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';

export type ViewResult = { status: 200 | 206 | 400 | 403 | 404 | 416 } & Partial<{ headers: Record<string, string>; body: Buffer; file: { path: string; start: number; end: number } }>;

/** GET /view, rule for rule as server.py view_image. */
export async function view(dirs: Dirs, query: URLSearchParams, range: string | undefined): Promise<ViewResult> {
  const rawName = query.get('filename');
  if (rawName === null) return { status: 404 };
  const { name, type: annotatedType } = parseAnnotated(rawName);
  if (!name) return { status: 400 };
  if (name.startsWith('/') || name.includes('..')) return { status: 400 };
  const type = annotatedType ?? query.get('type') ?? 'output';
  if (!isDirType(type)) return { status: 400 };
  let folder = dirs[type];
  const subfolder = query.get('subfolder');
  if (subfolder !== null) {
    const full = resolve(folder, subfolder);
    if (!inside(folder, full)) return { status: 403 };
    folder = full;
  }
  const path = join(folder, basename(name));
  if (!existsSync(path) || !statSync(path).isFile()) return { status: 404 };
  const disposition = { 'Content-Disposition': `filename="${basename(name)}"` };
  const preview = query.get('preview');
  if (preview) {
    const [format, q] = preview.split(';');
    const quality = Number(q ?? 90) || 90;
    const webp = format === 'webp';
    const body = await (webp ? sharp(path).webp({ quality }) : sharp(path).jpeg({ quality })).toBuffer();
    return { status: 200, body, headers: { ...disposition, 'Content-Type': webp ? 'image/webp' : 'image/jpeg' } };
  }
  const channel = query.get('channel') ?? 'rgba';
  if (channel === 'rgb' || channel === 'a') {
    const image = sharp(path);
    const body = channel === 'rgb' ? await image.removeAlpha().png().toBuffer() : await image.ensureAlpha().extractChannel(3).png().toBuffer();
    return { status: 200, body, headers: { ...disposition, 'Content-Type': 'image/png' } };
  }
  const stat = statSync(path);
  const headers: Record<string, string> = {
    ...disposition,
    'Content-Type': contentType(path),
    Etag: `"${Math.floor(stat.mtimeMs * 1000).toString(16)}-${stat.size.toString(16)}"`,
    'Last-Modified': stat.mtime.toUTCString(),
    'Accept-Ranges': 'bytes',
  };
  const m = range ? /^bytes=(\d*)-(\d*)$/.exec(range) : null;
  if (m && (m[1] || m[2])) {
    const start = m[1] ? Number(m[1]) : Math.max(0, stat.size - Number(m[2]));
    const end = m[1] && m[2] ? Math.min(Number(m[2]), stat.size - 1) : stat.size - 1;
    if (start >= stat.size || start > end) return { status: 416, headers: { 'Content-Range': `bytes */${stat.size}` } };
    return { status: 206, headers: { ...headers, 'Content-Range': `bytes ${start}-${end}/${stat.size}` }, file: { path, start, end } };
  }
  return { status: 200, headers, file: { path, start: 0, end: stat.size - 1 } };
}

export function streamFile(res: ServerResponse, status: number, headers: Record<string, string>, file: { path: string; start: number; end: number }): void {
  res.writeHead(status, { ...headers, 'Content-Length': String(Math.max(0, file.end - file.start + 1)) });
  if (file.end < file.start) return void res.end();
  createReadStream(file.path, { start: file.start, end: file.end }).pipe(res);
}

export type UploadResult = { status: 200; body: { name: string; subfolder: string; type: string } } | { status: 400 | 500 };

/** POST /upload/image: rename "name (1).ext" when the content differs, reuse the name when identical. */
export async function uploadImage(dirs: Dirs, form: FormData): Promise<UploadResult> {
  const image = form.get('image');
  const typeField = form.get('type');
  const type = typeof typeField === 'string' && typeField !== '' ? typeField : 'input';
  // An unknown type leaves a Python variable unbound: a 500.
  if (!isDirType(type)) return { status: 500 };
  if (!(image instanceof Blob)) return { status: 400 };
  let filename = image instanceof File ? image.name : '';
  if (!filename) return { status: 400 };
  const subfolderField = form.get('subfolder');
  const subfolder = typeof subfolderField === 'string' ? subfolderField : '';
  const root = dirs[type];
  const folder = join(root, normalize(subfolder));
  if (isAbsolute(subfolder) || !inside(root, resolve(folder, filename))) return { status: 400 };
  mkdirSync(folder, { recursive: true });
  const data = Buffer.from(await image.arrayBuffer());
  const overwrite = form.get('overwrite');
  const ext = extname(filename);
  const stem = filename.slice(0, filename.length - ext.length);
  let duplicate = false;
  if (overwrite !== 'true' && overwrite !== '1') {
    const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    for (let i = 1; existsSync(join(folder, filename)); i++) {
      if (digest(readFileSync(join(folder, filename))) === digest(data)) {
        duplicate = true;
        break;
      }
      filename = `${stem} (${i})${ext}`;
    }
  }
  if (!duplicate) writeFileSync(join(folder, filename), data);
  return { status: 200, body: { name: filename, subfolder, type } };
}
