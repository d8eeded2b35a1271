/** The README.md of an exported recipe folder: what is there and the commands to run it. */

export interface ReadmeFacts {
  runId: string;
  method: string;
  dataset: string;
  withData: boolean;
  init: boolean;
}

export function recipeReadme(f: ReadmeFacts): string {
  const data = f.withData ? '' : ' --data /path/to/images';
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

## One process (a CPU or one GPU)

    python train.py${data} --out results

## One node, N GPUs (or N CPU processes with gloo)

    torchrun --nproc_per_node=N train.py${data} --out results

## Several nodes (run on each node; NODE_RANK 0..NNODES-1, MASTER the first node's address)

    torchrun --nnodes=NNODES --node_rank=NODE_RANK --nproc_per_node=N \\
      --master_addr=MASTER --master_port=29500 train.py${data} --out results

## SLURM

    #!/bin/bash
    #SBATCH --nodes=2
    #SBATCH --ntasks-per-node=1
    #SBATCH --gpus-per-node=4
    #SBATCH --cpus-per-task=16
    export MASTER_ADDR=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
    srun torchrun --nnodes=$SLURM_NNODES --node_rank=$SLURM_NODEID --nproc_per_node=4 \\
      --master_addr=$MASTER_ADDR --master_port=29500 train.py${data} --out results

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
