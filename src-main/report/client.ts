/**
 * The report's own script (plain browser JavaScript, inlined after plotly.js): reads the
 * embedded JSON and draws the overlaid curves and the maps. When done it sets
 * `data-plots` on <body> to the number of plots drawn, or `data-error` to the failure — what
 * the tests check in a headless browser, and a visible clue for a user whose viewer blocks it.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var body = document.body;
  try {
    var data = JSON.parse(document.getElementById('report-data').textContent);
    var classColors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
    var config = { responsive: true, displaylogo: false };
    var plots = 0;
    // Plotly renders a subset of HTML in trace names (<b>, <a href>, ...): show names as plain text.
    function text(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); }
    function label(run) { return text(run.method + ' (' + run.id + ')'); }
    function draw(id, traces, layout) {
      var el = document.getElementById(id);
      if (!el) return;
      Plotly.newPlot(el, traces, Object.assign({ margin: { t: 40, r: 20, b: 50, l: 60 }, legend: { orientation: 'h' } }, layout), config);
      plots += 1;
    }
    function curveTraces(key) {
      return data.runs.filter(function (r) { return r.curves[key].x.length > 0; }).map(function (r) {
        return { type: 'scatter', mode: r.curves[key].x.length > 60 ? 'lines' : 'lines+markers', name: label(r), x: r.curves[key].x, y: r.curves[key].y };
      });
    }
    var loss = curveTraces('loss');
    if (loss.length > 0) draw('plot-loss', loss, { title: { text: 'Training loss' }, xaxis: { title: { text: 'step' } }, yaxis: { title: { text: 'loss' } } });
    var knn = curveTraces('knnTop1');
    if (knn.length > 0) draw('plot-knn', knn, { title: { text: 'kNN top-1 (training monitor)' }, xaxis: { title: { text: 'epoch' }, dtick: 1 }, yaxis: { title: { text: 'top-1' }, tickformat: '.0%', rangemode: 'tozero' } });
    data.runs.forEach(function (run, r) {
      var classes = (data.datasets.find(function (d) { return d.id === run.datasetId; }) || { classes: [] }).classes;
      run.maps.forEach(function (m, k) {
        var groups = {};
        for (var i = 0; i < m.x.length; i++) {
          var c = m.labels[i];
          (groups[c] = groups[c] || { x: [], y: [] });
          groups[c].x.push(m.x[i]);
          groups[c].y.push(m.y[i]);
        }
        var type = m.x.length > 2000 ? 'scattergl' : 'scatter';
        var traces = Object.keys(groups).map(Number).sort(function (a, b) { return a - b; }).map(function (c) {
          return {
            type: type, mode: 'markers', name: c < 0 ? 'unlabelled' : text(classes[c] || String(c)),
            x: groups[c].x, y: groups[c].y,
            marker: { size: 4, opacity: 0.75, color: c < 0 ? '#bbbbbb' : classColors[c % classColors.length] },
          };
        });
        draw('map-' + r + '-' + k, traces, { margin: { t: 10, r: 10, b: 10, l: 10 }, xaxis: { visible: false }, yaxis: { visible: false, scaleanchor: 'x' }, height: 420 });
      });
    });
    body.setAttribute('data-plots', String(plots));
  } catch (err) {
    body.setAttribute('data-error', String(err && err.message || err));
    throw err;
  }
})();
`;
