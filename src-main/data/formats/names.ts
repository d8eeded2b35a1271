import { extname } from 'node:path';
import { IMAGE_EXTENSIONS } from '../types';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The name as text when its bytes are valid UTF-8, else undefined. */
export function decodeName(raw: Uint8Array): string | undefined {
  try {
    return utf8.decode(raw);
  } catch {
    return undefined;
  }
}

/** A printable form of a name that is not valid UTF-8: invalid bytes as \xNN. */
export function escapeName(raw: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    // Take the longest valid UTF-8 run starting here, else escape one byte.
    let ok = false;
    for (let len = Math.min(4, raw.length - i); len >= 1; len--) {
      const piece = decodeName(raw.subarray(i, i + len));
      if (piece !== undefined && !piece.includes('\ufffd')) {
        out += piece;
        i += len;
        ok = true;
        break;
      }
    }
    if (!ok) out += `\\x${raw[i++]!.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
}

/** Hidden files and OS droppings that are never images (.DS_Store, __MACOSX/, Thumbs.db). */
export function isIgnoredName(segment: string): boolean {
  return segment.startsWith('.') || segment === '__MACOSX' || segment.toLowerCase() === 'thumbs.db';
}
