import { diskAccess, type FileAccess } from './access';

/** One class name per line (blank lines ignored); undefined when the file does not exist. */
export async function readClassNames(path: string, access: FileAccess = diskAccess): Promise<string[] | undefined> {
  let text: string;
  try {
    text = (await access.read(path)).toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${path}: ${(err as Error).message}`);
  }
  return parseClassNames(text);
}

export function parseClassNames(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
}
