import { parseArgs } from 'node:util';
import { Workspace, defaultWorkspaceDir } from '../store/workspace';
import type { Command, CommandContext } from './command';
import { CancelledError, PretextError } from '../core/errors';
import { StderrProgress } from './progress';
import { cliMessage, exitCode } from './errors';
import { commands } from './commands';

const GLOBAL_USAGE = `Usage: pretext [--workspace DIR] [--backend NAME] [--json] COMMAND [ARGS]

Global options:
  --workspace DIR   workspace folder (default: PRETEXT_WORKSPACE or the OS app-data folder)
  --backend NAME    force an engine backend: tensorflow, webgpu, wasm, cpu (or PRETEXT_BACKEND)
  --json            print exactly one JSON object, the result, on stdout
  -h, --help        show help (also: pretext COMMAND --help)
`;

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `${GLOBAL_USAGE}\nCommands:\n${lines.join('\n')}\n`;
}

/** Splits global options (before the command name) from the command and its arguments. */
function splitGlobal(argv: string[]): { globals: string[]; command?: string; rest: string[] } {
  const globals: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const a = argv[i]!;
    if (a === '--workspace' || a === '--backend') {
      globals.push(a, argv[i + 1] ?? '');
      i += 2;
    } else if (a.startsWith('--workspace=') || a.startsWith('--backend=') || a === '--json' || a === '-h' || a === '--help') {
      globals.push(a);
      i += 1;
    } else break;
  }
  const command = argv[i];
  const rest = argv.slice(i + 1);
  // --json and --workspace may also follow the command name.
  const kept: string[] = [];
  for (let j = 0; j < rest.length; j++) {
    const a = rest[j]!;
    if (a === '--json') globals.push(a);
    else if (a === '--workspace' || a === '--backend') {
      globals.push(a, rest[j + 1] ?? '');
      j++;
    } else if (a.startsWith('--workspace=') || a.startsWith('--backend=')) globals.push(a);
    else kept.push(a);
  }
  return { globals, command, rest: kept };
}

export interface MainIO {
  stdout: (text: string) => void;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export async function main(argv: string[], io?: Partial<MainIO>): Promise<number> {
  const stdout = io?.stdout ?? ((t: string) => void process.stdout.write(t));
  const stderr = io?.stderr ?? process.stderr;
  const env = io?.env ?? process.env;
  const { globals, command: name, rest } = splitGlobal(argv);
  let opts;
  try {
    opts = parseArgs({
      args: globals,
      options: {
        workspace: { type: 'string' },
        backend: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    stderr.write(`pretext: ${(err as Error).message}\n${GLOBAL_USAGE}`);
    return 2;
  }
  if (!name || (opts.help && !name)) {
    (name || opts.help ? stdout : (t: string) => stderr.write(t))(helpText());
    return name || opts.help ? 0 : 2;
  }
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (!command) {
    stderr.write(`pretext: unknown command '${name}'\n\n${helpText()}`);
    return 2;
  }
  if (opts.help || rest.includes('--help') || rest.includes('-h')) {
    stdout(`${command.usage}\n`);
    return 0;
  }

  const json = Boolean(opts.json);
  const workspaceDir = opts.workspace ? opts.workspace : defaultWorkspaceDir(env);
  let ws: Workspace | undefined;
  const controller = new AbortController();
  io?.signal?.addEventListener('abort', () => controller.abort());
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    stderr.write('\npretext: cancelling (Ctrl-C again to force quit)\n');
    controller.abort();
  };
  const ownSignals = !io?.signal;
  if (ownSignals) process.on('SIGINT', onSigint);

  const ctx: CommandContext = {
    workspaceDir,
    workspace: () => (ws ??= Workspace.open(workspaceDir)),
    backend: opts.backend ?? env['PRETEXT_BACKEND'],
    json,
    progress: new StderrProgress(stderr),
    signal: controller.signal,
    print: (text) => {
      if (!json) stdout(`${text}\n`);
    },
  };
  try {
    const result = await command.run(rest, ctx);
    if (json) stdout(`${JSON.stringify(result ?? null)}\n`);
    return 0;
  } catch (err) {
    const cancelled = err instanceof CancelledError;
    const user = err instanceof PretextError;
    const message = cancelled ? 'cancelled' : cliMessage(err, workspaceDir);
    if (json) stdout(`${JSON.stringify({ error: { message, cancelled } })}\n`);
    stderr.write(`pretext ${name}: ${message}\n`);
    if (!user && !cancelled && env['PRETEXT_DEBUG']) stderr.write(`${(err as Error).stack}\n`);
    return exitCode(err);
  } finally {
    if (ownSignals) process.off('SIGINT', onSigint);
    ws?.close();
  }
}
