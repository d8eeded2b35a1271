/**
 * What an exported recipe folder holds and the commands that run it (issue 15), as plain data:
 * the folder's README.md (tasks/recipe/readme.ts) and the UI's "Run on a cluster…" panel show
 * the same text. Browser-safe: no imports.
 */

export interface RecipeCommand {
  title: string;
  command: string;
}

/** The data argument of every command: none when data.npz travels beside train.py. */
function dataArg(withData: boolean): string {
  return withData ? '' : ' --data /path/to/images';
}

/** One process, one node, several nodes, SLURM: the commands as a user types them. */
export function recipeCommands(withData: boolean): RecipeCommand[] {
  const data = dataArg(withData);
  return [
    { title: 'One process (a CPU or one GPU)', command: `python train.py${data} --out results` },
    { title: 'One node, N GPUs (or N CPU processes with gloo)', command: `torchrun --nproc_per_node=N train.py${data} --out results` },
    {
      title: 'Several nodes (run on each node; NODE_RANK 0..NNODES-1, MASTER the first node\'s address)',
      command: `torchrun --nnodes=NNODES --node_rank=NODE_RANK --nproc_per_node=N \\\n  --master_addr=MASTER --master_port=29500 train.py${data} --out results`,
    },
    {
      title: 'SLURM',
      command: [
        '#!/bin/bash',
        '#SBATCH --nodes=2',
        '#SBATCH --ntasks-per-node=1',
        '#SBATCH --gpus-per-node=4',
        '#SBATCH --cpus-per-task=16',
        'export MASTER_ADDR=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)',
        'srun torchrun --nnodes=$SLURM_NNODES --node_rank=$SLURM_NODEID --nproc_per_node=4 \\',
        `  --master_addr=$MASTER_ADDR --master_port=29500 train.py${data} --out results`,
      ].join('\n'),
    },
  ];
}

/** The files of an exported recipe folder and what each is. */
export function recipeContents(withData: boolean): { name: string; what: string }[] {
  return [
    { name: 'train.py, ddp_parts.py', what: 'the DistributedDataParallel program (torch, torchvision, numpy, Pillow)' },
    { name: 'ssl_methods.py, ssl_parts.py, torch_quality.py, torch_engine.py', what: "the method's networks, loss, optimiser and views" },
    { name: 'recipe.json', what: "the run's resolved configuration, views and data facts" },
    { name: 'README.md', what: 'these commands, and how to bring the results back' },
    ...(withData ? [{ name: 'data.npz', what: "the dataset's pixels, labels and splits" }] : []),
  ];
}

/** The files train.py writes into its --out folder that `runs import` reads back. */
export const RECIPE_RESULT_FILES = ['recipe.json', 'metrics.jsonl', 'backbone.safetensors'] as const;
