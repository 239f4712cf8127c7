// The sweep page's graphs, drawn as inline SVG from /api/sweeps/<id>: one
// chart per metric (the swept x option across, one line per value of the line
// option, points with hover titles, legend entries that hide a line when
// clicked) and a heat map of IOPS (cells coloured through CSSOM, which the
// page's CSP allows where style attributes are refused). Each element records
// what it drew (data-lines, data-points, data-cells) so a headless browser
// test can tell a drawn graph from an empty box.
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
  var W = 560, H = 300, L = 70, R = 16, T = 12, B = 44;

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(e);
    return e;
  }

  function fmt(metric, v) {
    if (metric === 'iops') {
      if (v >= 1e6) return (v / 1e6).toFixed(2) + 'M';
      if (v >= 1e4) return (v / 1e3).toFixed(1) + 'k';
      return v.toFixed(0);
    }
    if (v >= 1e6) return (v / 1e6).toFixed(2) + ' ms';
    if (v >= 1e3) return (v / 1e3).toFixed(1) + ' us';
    return v.toFixed(0) + ' ns';
  }

  // x positions: log2 of the values when all are positive numbers spanning a
  // factor of 4 (iodepth 1..64), else evenly spaced in the order given.
  function xScale(values) {
    var nums = values.map(Number);
    var numeric = nums.every(function (n, i) { return values[i] !== '' && isFinite(n) && n > 0; });
    var lo = Math.min.apply(null, nums), hi = Math.max.apply(null, nums);
    var pos = numeric && hi / lo >= 4 ? nums.map(function (n) { return Math.log2(n); })
                                      : values.map(function (_, i) { return i; });
    var pmin = Math.min.apply(null, pos), pmax = Math.max.apply(null, pos);
    var span = pmax - pmin || 1;
    return pos.map(function (p) { return L + 20 + (p - pmin) / span * (W - L - R - 40); });
  }

  function drawChart(box, data, metric) {
    var xi = data.axes.x, li = data.axes.lines;
    var xdim = data.dimensions[xi], ldim = li >= 0 ? data.dimensions[li] : null;
    var xs = xScale(xdim.values);
    var lineValues = ldim ? ldim.values : [''];
    var lines = lineValues.map(function (lv) {
      var pts = [];
      xdim.values.forEach(function (xv, k) {
        data.points.forEach(function (p) {
          if (p.settings[xdim.option] !== xv || (ldim && p.settings[ldim.option] !== lv) || !p.figures) return;
          // Further dimensions: only the points with their first value, as in the first gnuplot set.
          var other = data.dimensions.every(function (d, di) {
            return di === xi || di === li || p.settings[d.option] === d.values[0];
          });
          if (other) pts.push({ x: xs[k], v: p.figures[metric], p: p });
        });
      });
      return { label: ldim ? ldim.option + '=' + lv : xdim.option, pts: pts };
    });
    var vmax = 0;
    lines.forEach(function (l) { l.pts.forEach(function (q) { vmax = Math.max(vmax, q.v); }); });
    vmax = vmax > 0 ? vmax * 1.1 : 1;
    var y = function (v) { return T + (1 - v / vmax) * (H - T - B); };
    var svg = el('svg', { viewBox: '0 0 ' + W + ' ' + H, 'class': 'sweep-svg', role: 'img' });
    el('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#6b7280' }, svg);
    el('line', { x1: L, y1: T, x2: L, y2: H - B, stroke: '#6b7280' }, svg);
    for (var g = 0; g <= 4; g++) {
      var gv = vmax * g / 4, gy = y(gv);
      el('line', { x1: L, y1: gy, x2: W - R, y2: gy, stroke: '#e5e7eb' }, svg);
      el('text', { x: L - 6, y: gy + 4, 'text-anchor': 'end', 'class': 'tick' }, svg).textContent = fmt(metric, gv);
    }
    xdim.values.forEach(function (xv, k) {
      el('text', { x: xs[k], y: H - B + 16, 'text-anchor': 'middle', 'class': 'tick' }, svg).textContent = xv;
    });
    el('text', { x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle', 'class': 'axis' }, svg).textContent = xdim.option;
    var drawn = 0, nlines = 0;
    var groups = lines.map(function (l, i) {
      var colour = COLOURS[i % COLOURS.length];
      var gEl = el('g', { 'class': 'sweep-line', 'data-label': l.label }, svg);
      if (!l.pts.length) return gEl;
      nlines++;
      el('polyline', { points: l.pts.map(function (q) { return q.x + ',' + y(q.v); }).join(' '), fill: 'none',
                       stroke: colour, 'stroke-width': 2 }, gEl);
      l.pts.forEach(function (q) {
        var c = el('circle', { cx: q.x, cy: y(q.v), r: 4, fill: colour }, gEl);
        el('title', {}, c).textContent = q.p.key + ': ' + fmt(metric, q.v);
        drawn++;
      });
      return gEl;
    });
    box.appendChild(svg);
    var legend = document.createElement('div');
    legend.className = 'legend';
    lines.forEach(function (l, i) {
      var item = document.createElement('span');
      item.className = 'legend-item';
      var sw = document.createElement('i');
      sw.style.background = COLOURS[i % COLOURS.length];
      item.appendChild(sw);
      item.appendChild(document.createTextNode(l.label));
      item.addEventListener('click', function () {
        var hidden = groups[i].style.display === 'none';
        groups[i].style.display = hidden ? '' : 'none';
        item.classList.toggle('off', !hidden);
      });
      legend.appendChild(item);
    });
    box.appendChild(legend);
    box.setAttribute('data-lines', String(nlines));
    box.setAttribute('data-points', String(drawn));
  }

  function drawHeat(box, data) {
    var xdim = data.dimensions[data.axes.x], ldim = data.dimensions[data.axes.lines];
    var cell = {}, vmax = 0;
    data.points.forEach(function (p) {
      if (!p.figures) return;
      var k = p.settings[xdim.option] + '\u0000' + p.settings[ldim.option];
      if (cell[k] !== undefined) return;  // further dimensions: the first point
      cell[k] = p;
      vmax = Math.max(vmax, p.figures.iops);
    });
    var table = document.createElement('table');
    table.className = 'sweep-heat-table';
    var head = table.insertRow();
    head.insertCell().textContent = ldim.option + ' \\ ' + xdim.option;
    xdim.values.forEach(function (xv) { head.insertCell().textContent = xv; });
    var cells = 0;
    ldim.values.slice().reverse().forEach(function (lv) {
      var row = table.insertRow();
      row.insertCell().textContent = lv;
      xdim.values.forEach(function (xv) {
        var td = row.insertCell();
        var p = cell[xv + '\u0000' + lv];
        if (!p) { td.textContent = '-'; return; }
        var f = vmax > 0 ? p.figures.iops / vmax : 0;
        // White to dark blue, as the gnuplot heat map.
        td.style.background = 'rgb(' + Math.round(222 - 214 * f) + ',' + Math.round(235 - 187 * f) + ',' +
                              Math.round(247 - 140 * f) + ')';
        td.style.color = f > 0.55 ? '#fff' : '#1d2430';
        td.textContent = fmt('iops', p.figures.iops);
        td.title = p.key + ': ' + p.figures.iops.toFixed(0) + ' IOPS';
        td.className = 'cell';
        cells++;
      });
    });
    box.appendChild(table);
    box.setAttribute('data-cells', String(cells));
  }

  document.addEventListener('DOMContentLoaded', function () {
    var root = document.getElementById('sweep');
    if (!root) return;
    fetch(root.getAttribute('data-api')).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    }).then(function (data) {
      root.querySelectorAll('.sweep-chart').forEach(function (box) { drawChart(box, data, box.getAttribute('data-metric')); });
      root.querySelectorAll('.sweep-heat').forEach(function (box) { drawHeat(box, data); });
      document.body.setAttribute('data-sweep-ready', '1');
    }).catch(function (e) {
      root.setAttribute('data-error', String(e.message || e));
      document.body.setAttribute('data-sweep-ready', 'error');
    });
  });
})();
