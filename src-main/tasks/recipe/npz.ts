/**
 * NumPy's .npz (numpy/lib/npyio.py savez): a zip archive of `<name>.npy` members. Written here
 * stored (no compression, what np.savez itself writes), plain zip without zip64, so arrays up to
 * 4 GiB in all; CRC-32 from node:zlib.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { littleEndianBytes, npyHeader, type NpyDtype } from '../../ml/export/npy';
import { PretextError } from '../../core/errors';

export interface NpzArray {
  name: string;
  dtype: NpyDtype;
  shape: number[];
  data: Uint8Array | Int32Array;
}

function bytesOf(a: NpzArray): Uint8Array {
  return a.data instanceof Uint8Array ? a.data : littleEndianBytes(a.data);
}

/** Writes the arrays to `path` as an .npz; returns its size in bytes. */
export function writeNpz(path: string, arrays: NpzArray[]): number {
  const fd = openSync(path, 'w');
  const central: Buffer[] = [];
  let offset = 0;
  const put = (b: Uint8Array) => {
    writeSync(fd, b);
    offset += b.length;
  };
  try {
    for (const a of arrays) {
      const head = npyHeader(a.dtype, a.shape);
      const body = bytesOf(a);
      const size = head.length + body.length;
      if (offset + size > 0xffffffff) throw new PretextError(`${path}: the dataset is over 4 GiB, too large for an .npz without zip64 (use train.py --data with an ImageFolder tree)`);
      const crc = crc32(body, crc32(head));
      const name = Buffer.from(`${a.name}.npy`);
      const fields = (sig: number, central_: boolean) => {
        const b = Buffer.alloc(central_ ? 46 : 30);
        let o = 0;
        b.writeUInt32LE(sig, o);
        o += 4;
        if (central_) (b.writeUInt16LE(20, o), (o += 2));
        b.writeUInt16LE(20, o); // version needed
        b.writeUInt16LE(0, o + 2); // flags
        b.writeUInt16LE(0, o + 4); // stored
        b.writeUInt32LE(0x00210000, o + 6); // 1980-01-01 00:00
        b.writeUInt32LE(crc, o + 10);
        b.writeUInt32LE(size, o + 14);
        b.writeUInt32LE(size, o + 18);
        b.writeUInt16LE(name.length, o + 22);
        if (central_) b.writeUInt32LE(local, 42);
        return b;
      };
      const local = offset;
      put(fields(0x04034b50, false));
      put(name);
      put(head);
      put(body);
      central.push(fields(0x02014b50, true), name);
    }
    const start = offset;
    for (const b of central) put(b);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(arrays.length, 8);
    end.writeUInt16LE(arrays.length, 10);
    end.writeUInt32LE(offset - start, 12);
    end.writeUInt32LE(start, 16);
    put(end);
  } finally {
    closeSync(fd);
  }
  return offset;
}
