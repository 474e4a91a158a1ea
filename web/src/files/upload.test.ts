import { describe, expect, it } from 'vitest';
import { kindOf, sha256Hex } from './upload.ts';

describe('files', () => {
  it('hashes a file as the server and the storage check it (SHA-256, hex)', async () => {
    expect(await sha256Hex(new Blob(['test']))).toBe('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08');
  });

  it('sends a PDF as a scan and an image as a photo', () => {
    expect(kindOf(new Blob([], { type: 'application/pdf' }))).toBe('scan');
    expect(kindOf(new Blob([], { type: 'image/jpeg' }))).toBe('photo');
  });
});
