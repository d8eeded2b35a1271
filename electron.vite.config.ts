import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Three bundles: the Electron main process, the preload script and the Svelte renderer.
// The same renderer build is served to a browser by `pretext serve`.
export default defineConfig({
  main: {
    // Optional native packages stay outside the bundle too (externalizeDepsPlugin only covers
    // `dependencies`): bundled, webgpu looks for its dawn.node next to the chunk and fails.
    plugins: [externalizeDepsPlugin({ include: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'] })],
    build: {
      rollupOptions: {
        // The window's process, the engine (utilityProcess), the child processes of training and of
        // evaluation/export jobs, and the import's decode worker thread: each its own entry, next
        // to each other in out/main.
        input: {
          index: resolve(__dirname, 'src-main/app/main.ts'),
          engine: resolve(__dirname, 'src-main/engine/entry.ts'),
          trainChild: resolve(__dirname, 'src-main/engine/trainChild.ts'),
          workChild: resolve(__dirname, 'src-main/engine/workChild.ts'),
          decodeWorker: resolve(__dirname, 'src-main/data/import/decodeWorker.ts'),
        },
        // data/import/workerPool.ts starts new URL('./decodeWorker.mjs', import.meta.url).
        output: { entryFileNames: (chunk) => (chunk.name === 'decodeWorker' ? '[name].mjs' : '[name].js') },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    // A sandboxed preload must be CommonJS.
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [svelte()],
    build: { rollupOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } } },
  },
});
