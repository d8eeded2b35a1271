declare module '*.svelte' {
  import type { Component } from 'svelte';
  // Props are checked by the Svelte compiler, not by tsc (which cannot read .svelte files).
  const component: Component<Record<string, unknown>>;
  export default component;
}

// Stylesheets imported for their side effect (Vite bundles them).
declare module '*.css';
