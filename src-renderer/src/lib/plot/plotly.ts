/**
 * plotly.js, loaded on first use (it is large) from its strict bundle: the regular bundle's
 * WebGL code (scattergl) builds functions at run time, which the page's CSP forbids.
 */
export type Datum = number | string | null;

export interface Trace {
  type: 'scatter' | 'scattergl' | 'bar' | 'heatmap';
  mode?: 'lines' | 'markers' | 'lines+markers';
  name?: string;
  x: Datum[];
  y: Datum[];
  [key: string]: unknown;
}

export type Layout = Record<string, unknown>;

export interface HoverEvent {
  points: { curveNumber: number; pointNumber: number; pointIndex?: number; customdata?: unknown }[];
}

export interface PlotElement extends HTMLElement {
  on(event: 'plotly_hover' | 'plotly_unhover', cb: (e: HoverEvent) => void): void;
  removeAllListeners?(event: string): void;
}

export interface PlotlyLib {
  react(el: HTMLElement, data: Trace[], layout: Layout, config: Record<string, unknown>): Promise<PlotElement>;
  purge(el: HTMLElement): void;
  Plots: { resize(el: HTMLElement): void };
}

let loading: Promise<PlotlyLib> | null = null;

export function loadPlotly(): Promise<PlotlyLib> {
  loading ??= import('plotly.js/dist/plotly-strict.min.js').then((m) => (m as { default: PlotlyLib }).default);
  return loading;
}

/** Colours that read on both themes (plotly's defaults, a little brighter). */
export const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];

/** The base layout: transparent background, the page's text colour, compact margins. */
export function baseLayout(dark: boolean, extra: Layout = {}): Layout {
  const fg = dark ? '#d8dade' : '#2a2d33';
  const grid = dark ? '#33363d' : '#e3e5e8';
  return {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: fg, size: 11 },
    margin: { l: 48, r: 12, t: 28, b: 36 },
    legend: { orientation: 'h', y: -0.2 },
    ...extra,
    // Axis options given by a chart are merged over the themed ones, not swapped for them.
    xaxis: { gridcolor: grid, zerolinecolor: grid, ...(extra['xaxis'] as Layout | undefined) },
    yaxis: { gridcolor: grid, zerolinecolor: grid, ...(extra['yaxis'] as Layout | undefined) },
  };
}
