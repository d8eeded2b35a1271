/**
 * A training child process: the engine forks one per training job, so a step's seconds of
 * synchronous tfjs work never stall the engine's requests (augment previews, lists), and a
 * crash or out-of-memory in training leaves the engine up. It opens the workspace itself
 * (SQLite WAL is multi-process safe), trains or resumes the run, and reports over IPC.
 */
import { initBackend } from '../ml/backend';
import { runTraining } from '../tasks/train';
import { getRun } from '../store/runs';
import { Workspace } from '../store/workspace';
import type { TrainChildIn, TrainChildOut } from './trainProtocol';

/** The engine went away (the pipe broke): exit, the run reads as interrupted. */
const gone = (err: Error | null) => {
  if (err) process.exit(1);
};

function send(m: TrainChildOut): void {
  if (process.connected) process.send?.(m, gone);
}

const controller = new AbortController();

async function train(m: Extract<TrainChildIn, { type: 'train' }>): Promise<TrainChildOut> {
  const ws = Workspace.open(m.workspaceDir);
  try {
    const b = await initBackend({ prefer: m.backend });
    send({ type: 'backend', name: b.name, device: b.device, skipped: b.skipped });
    const base = getRun(ws, m.runId)?.trainSeconds ?? 0;
    const r = await runTraining(ws, m.runId, {
      signal: controller.signal,
      onStart: (e) => send({ type: 'start', totalSteps: e.totalSteps, startStep: e.startStep, epochs: e.epochs, trainSeconds: base }),
      onStep: (e) => send({ type: 'step', ...e }),
      onEpoch: (e) => send({ type: 'epoch', epoch: e.epoch, metrics: e.metrics }),
    });
    return { type: 'done', status: r.status, epochsDone: r.epochsDone, trainSeconds: r.trainSeconds, metrics: r.metrics };
  } finally {
    ws.close();
  }
}

/** Sends the last message, then exits (wasm worker threads would keep the process alive). */
function finish(m: TrainChildOut | null, code: number): void {
  if (m && process.send && process.connected) process.send(m, () => process.exit(code));
  else process.exit(code);
}

process.on('message', (m: TrainChildIn) => {
  if (m.type === 'cancel') controller.abort();
  else if (m.type === 'train') {
    train(m).then(
      (done) => finish(done, 0),
      (err: Error) => finish({ type: 'error', message: err.message }, 1),
    );
  }
});
// The engine died: stop now. The run row keeps 'running' with this dead pid, which reads as
// interrupted; it resumes from its last checkpoint (at most the current epoch is lost).
process.on('disconnect', () => process.exit(1));
// Ctrl-C in a terminal reaches the whole process group: the engine decides, via 'cancel'.
process.on('SIGINT', () => controller.abort());
