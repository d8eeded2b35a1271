import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { getClient, getShell } from './lib/transport';
import { Workbench } from './lib/state/workbench.svelte';
import { createViews } from './lib/state/views';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
const wb = new Workbench(getClient(), getShell());
export default mount(App, { target, props: { wb, views: createViews(wb) } });
