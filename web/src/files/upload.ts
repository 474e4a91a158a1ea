/**
 * Photos and scans: the upload as the command API wants it. The server signs a PUT for a key it
 * chose (type, length and SHA-256 signed in); the browser sends the file straight to the storage
 * with exactly the signed headers, then asks the server to attach it, which checks the stored
 * object first. Nothing here decides what may be attached: the server refuses, and its words are
 * shown.
 */
import { send, type Accepted } from '../api/commands.ts';
import { ApiError } from '../api/errors.ts';
import type { components } from '../api/generated/openapi.ts';
import { call } from '../api/http.ts';
import { filesText } from './text.ts';

export type UploadRequest = components['schemas']['UploadRequest'];
export type UploadTicket = components['schemas']['UploadTicket'];
export type AttachedRecord = UploadRequest['to'];
export type FileKind = UploadRequest['kind'];
export type Purpose = UploadRequest['purpose'];

export const UPLOAD_URL = '/api/v1/files/upload';

/** The file's SHA-256, hex, as the server and the storage check it. */
export async function sha256Hex(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A scan may be a PDF; anything else an image is sent as a photo's type. */
export function kindOf(file: Blob): FileKind {
  return file.type === 'application/pdf' ? 'scan' : 'photo';
}

/** Sends one file and attaches it to `to`; resolves with the attach command's answer. */
export async function uploadFile(to: AttachedRecord, file: Blob, purpose: Purpose, kind: FileKind = kindOf(file)): Promise<Accepted> {
  const request: UploadRequest = {
    to,
    kind,
    purpose,
    content_type: file.type,
    size: file.size,
    sha256: await sha256Hex(file),
  };
  const ticket = (await call<UploadTicket>(UPLOAD_URL, { method: 'POST', body: request })).body;
  // Straight to the storage, with the headers it signed (the browser sets Content-Length, which is
  // signed too). No token: the URL itself is the permission, for five minutes.
  const stored = await fetch(ticket.url, { method: 'PUT', headers: ticket.headers, body: file, credentials: 'omit' });
  if (!stored.ok) {
    throw new ApiError(stored.status, 'upload_refused', `the storage refused the upload (${stored.status})`, filesText.storageRefused);
  }
  return send('attachment', ticket.attachment_id, 'attach', {});
}
