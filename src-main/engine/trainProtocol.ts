/** Messages between the engine and a training child process (one per training job). */
export type TrainChildIn = { type: 'train'; workspaceDir: string; runId: string; backend?: string } | { type: 'cancel' };

export type TrainChildOut =
  | { type: 'backend'; name: string; device: string; skipped: { name: string; reason: string }[] }
  | { type: 'start'; totalSteps: number; startStep: number; epochs: number; trainSeconds: number }
  | { type: 'step'; epoch: number; step: number; totalSteps: number; loss: number; lr: number; viewsPerSecond: number }
  | { type: 'epoch'; epoch: number; metrics: Record<string, number> }
  | { type: 'done'; status: 'completed' | 'cancelled'; epochsDone: number; trainSeconds: number; metrics: Record<string, number> }
  | { type: 'error'; message: string };
