import { PassThrough } from 'node:stream';
import { main } from '../../src-main/cli/main';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `pretext` CLI in-process, capturing stdout and stderr. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const err = new PassThrough() as unknown as NodeJS.WriteStream;
  (err as unknown as PassThrough).on('data', (c: Buffer) => (stderr += c.toString()));
  const controller = new AbortController();
  const code = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: err,
    env: { ...env },
    signal: controller.signal,
  });
  return { code, stdout, stderr };
}
