import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * Appends fixed-size images to a file through one preallocated chunk buffer, so the pixel
 * file is written in large sequential writes rather than one call per image.
 */
export class PixelWriter {
  private readonly fd: number;
  private readonly chunk: Uint8Array;
  private used = 0;
  count = 0;

  constructor(
    path: string,
    private readonly bytesPerImage: number,
    chunkImages = 512,
  ) {
    this.fd = openSync(path, 'w');
    this.chunk = new Uint8Array(bytesPerImage * chunkImages);
  }

  append(pixels: Uint8Array): void {
    if (pixels.length !== this.bytesPerImage) throw new Error(`image of ${pixels.length} bytes, expected ${this.bytesPerImage}`);
    if (this.used + pixels.length > this.chunk.length) this.flush();
    this.chunk.set(pixels, this.used);
    this.used += pixels.length;
    this.count += 1;
  }

  flush(): void {
    let off = 0;
    while (off < this.used) off += writeSync(this.fd, this.chunk, off, this.used - off);
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
