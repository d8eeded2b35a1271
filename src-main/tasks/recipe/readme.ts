/** The README.md of an exported recipe folder: what is there and the commands to run it (core/recipeCommands.ts, as the UI shows them). */
import { recipeCommands } from '../../core/recipeCommands';

export interface ReadmeFacts {
  runId: string;
  method: string;
  dataset: string;
  withData: boolean;
  init: boolean;
}

export function recipeReadme(f: ReadmeFacts): string {
  const commands = recipeCommands(f.withData)
    .map((c) => `## ${c.title}\n\n${c.command.split('\n').map((l) => `    ${l}`).join('\n')}`)
    .join('\n\n');
  return `# Pretext run ${f.runId} (${f.method} on ${f.dataset}) as a PyTorch DDP program

Needs \`torch\`, \`torchvision\`, \`numpy\` and \`Pillow\`. The method is implemented in
ssl_methods.py / ssl_parts.py (written from solo-learn); train.py adds DistributedDataParallel:
a DistributedSampler, SimCLR's negatives and MoCo's keys gathered from every process, batch
norm and Barlow Twins / VICReg statistics over the global batch, rank-0 logging and checkpoints.
recipe.json is the run's resolved configuration; its \`batch\` is the global batch (each of N
processes takes batch / N). ${f.init ? 'init.safetensors (the run\'s backbone) is the starting point.' : ''}

Data: ${f.withData ? 'data.npz beside train.py (pixels, labels, train_idx, test_idx) is read by default; or pass --data DIR.' : 'pass --data DIR,'} an
ImageFolder tree DIR/train/<class>/*.png and DIR/test/<class>/*.png (the test split drives the
kNN monitor), resized to the recipe's image size.

${commands}

Debian's torch 1.13 under Python 3.11 cannot parse torchrun's default \`--redirects 0\`; there,
add \`--redirects 1 --tee 1\` to the torchrun line.

Resume after an interruption: the same command with \`--resume\` (from results/checkpoint.pt).

## Results back in Pretext

results/ holds a copy of recipe.json, metrics.jsonl (per step loss and lr; per epoch kNN top-1
with the recipe's k and T), backbone.safetensors (torchvision names) and checkpoint.pt. Bring
the folder back and run

    pretext runs import results --dataset ID
`;
}
