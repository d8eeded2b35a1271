// plotly.js's strict bundle (no Function constructor, so it runs under the page's CSP).
declare module 'plotly.js/dist/plotly-strict.min.js' {
  const Plotly: import('./plotly').PlotlyLib;
  export default Plotly;
}
