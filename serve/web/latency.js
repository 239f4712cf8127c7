// Latency distribution on the run page: fills #latency-dist from
// /api/runs/{id}/latency with, per metric and direction, a histogram / CDF
// chart on a log-scale latency axis (one line per job, a black total line,
// p50/p99/p99.9/p99.99 as dashed markers, a readout under the pointer), and
// the hist logs' p50/p99/p99.9 over time through FiokitChart (chart.js).
// The section stays hidden when the run has neither json+ bins nor hist logs.
// data-* attributes record what was drawn, for the headless-browser tests.
(function () {
  'use strict';
  var COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22'];
  var MARK_COLORS = { 'p50': '#2ca02c', 'p99': '#ff7f0e', 'p99.9': '#d62728', 'p99.99': '#7b0099' };
  var M = { left: 64, right: 36, top: 22, bottom: 36 };  // right: room for the last decade's label
  var fmt = function (v) { return window.fiokitFormatValue ? window.fiokitFormatValue(v, 'ns') : v + ' ns'; };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;  // text, never HTML
    return e;
  }

  // One panel: tracks [{label, total, samples, bins: [[lo, hi, n]]}], marks {p50: ns, ...}.
  function DistChart(box, panel) {
    this.tracks = panel.tracks;
    this.marks = panel.percentiles || {};
    this.mode = 'histogram';
    this.canvas = el('canvas', 'lat-canvas');
    // Sized here (CSSOM, allowed by the page's CSP) so style.css stays shared as it is.
    this.canvas.style.width = '100%';
    this.canvas.style.height = '300px';
    this.canvas.style.display = 'block';
    this.readout = el('div', 'lat-readout hint', '\u00a0');
    box.appendChild(this.canvas);
    box.appendChild(this.readout);
    this.box = box;
    var lo = Infinity, hi = 0;
    this.tracks.forEach(function (t) {
      t.bins.forEach(function (b) { lo = Math.min(lo, Math.max(b[0], 1)); hi = Math.max(hi, b[1]); });
      var cum = 0;
      t.cdf = t.bins.map(function (b) { cum += b[2]; return [b[1], 100 * cum / t.samples]; });
      t.pct = t.bins.map(function (b) { return 100 * b[2] / t.samples; });
    });
    // Whole decades around the data, so the axis reads 1 us, 10 us, 100 us...
    this.x0 = Math.pow(10, Math.floor(Math.log10(lo)));
    this.x1 = Math.pow(10, Math.ceil(Math.log10(Math.max(hi, lo * 10))));
    var self = this;
    this.canvas.addEventListener('mousemove', function (e) { self.hover(e); });
    window.addEventListener('resize', function () { self.draw(); });
  }

  DistChart.prototype.X = function (v, pw) {
    return M.left + (Math.log10(v) - Math.log10(this.x0)) / (Math.log10(this.x1) - Math.log10(this.x0)) * pw;
  };

  DistChart.prototype.setMode = function (mode) {
    this.mode = mode;
    this.box.setAttribute('data-mode', mode);
    this.draw();
  };

  DistChart.prototype.draw = function () {
    var c = this.canvas, dpr = window.devicePixelRatio || 1;
    var W = c.clientWidth || 600, H = c.clientHeight || 300;
    c.width = Math.round(W * dpr);
    c.height = Math.round(H * dpr);
    var g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.fillStyle = '#fff';
    g.fillRect(0, 0, W, H);
    var pw = W - M.left - M.right, ph = H - M.top - M.bottom, self = this;
    var cdf = this.mode === 'cdf';
    var ymax = 100;
    if (!cdf) {
      ymax = 0;
      this.tracks.forEach(function (t) { t.pct.forEach(function (p) { ymax = Math.max(ymax, p); }); });
      ymax = ymax * 1.1 || 1;
    }
    var Y = function (v) { return M.top + ph - v / ymax * ph; };
    g.font = '11px sans-serif';
    g.lineWidth = 1;
    g.strokeStyle = '#e4e4e4';
    g.fillStyle = '#444';
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (var d = this.x0; d <= this.x1 * 1.001; d *= 10) {
      var x = Math.round(this.X(d, pw)) + 0.5;
      g.beginPath(); g.moveTo(x, M.top); g.lineTo(x, M.top + ph); g.stroke();
      g.fillText(fmt(d), x, M.top + ph + 6);
    }
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (var i = 0; i <= 4; i++) {
      var v = ymax * i / 4, y = Math.round(Y(v)) + 0.5;
      g.beginPath(); g.moveTo(M.left, y); g.lineTo(W - M.right, y); g.stroke();
      g.fillText((v >= 10 ? v.toFixed(0) : v.toFixed(1)) + '%', M.left - 6, y);
    }
    g.strokeStyle = '#888';
    g.strokeRect(M.left + 0.5, M.top + 0.5, pw, ph);
    g.save();
    g.beginPath(); g.rect(M.left, M.top, pw, ph); g.clip();
    var n = 0;
    this.tracks.forEach(function (t) {
      g.strokeStyle = t.total ? '#000' : COLORS[n++ % COLORS.length];
      g.lineWidth = t.total ? 2.5 : 1.5;
      g.beginPath();
      if (cdf) {
        g.moveTo(self.X(Math.max(t.bins[0][0], 1), pw), Y(0));
        t.cdf.forEach(function (p) { g.lineTo(self.X(p[0], pw), Y(p[1])); });
      } else {
        // Steps over each bin's [low, high), down to 0 across empty bins.
        var prevHi = null;
        t.bins.forEach(function (b, k) {
          var xl = self.X(Math.max(b[0], 1), pw), xh = self.X(b[1], pw), y = Y(t.pct[k]);
          if (prevHi === null) g.moveTo(xl, Y(0));
          else if (b[0] !== prevHi) { g.lineTo(self.X(prevHi, pw), Y(0)); g.lineTo(xl, Y(0)); }
          g.lineTo(xl, y); g.lineTo(xh, y);
          prevHi = b[1];
        });
        if (prevHi !== null) g.lineTo(self.X(prevHi, pw), Y(0));
      }
      g.stroke();
    });
    g.restore();
    // Percentile markers, labelled at the top.
    g.setLineDash([5, 4]);
    g.lineWidth = 1.5;
    g.textAlign = 'left';
    g.textBaseline = 'bottom';
    var drawn = [];
    Object.keys(this.marks).forEach(function (name, k) {
      var x = Math.round(self.X(Math.max(self.marks[name], 1), pw)) + 0.5;
      g.strokeStyle = MARK_COLORS[name] || '#d62728';
      g.fillStyle = g.strokeStyle;
      g.beginPath(); g.moveTo(x, M.top); g.lineTo(x, M.top + ph); g.stroke();
      g.fillText(name, x + 3, M.top + 14 + 13 * k);  // staggered: p99.9 and p99.99 are often close
      drawn.push(name + '=' + self.marks[name]);
    });
    g.setLineDash([]);
    this.box.setAttribute('data-markers', drawn.join(';'));
  };

  DistChart.prototype.hover = function (e) {
    var r = this.canvas.getBoundingClientRect(), pw = r.width - M.left - M.right;
    var f = (e.clientX - r.left - M.left) / pw;
    if (f < 0 || f > 1) return;
    var v = Math.pow(10, Math.log10(this.x0) + f * (Math.log10(this.x1) - Math.log10(this.x0)));
    var t = this.tracks[this.tracks.length - 1], below = 0;
    t.bins.forEach(function (b) { if (b[1] <= v) below += b[2]; });
    this.readout.textContent = fmt(v) + ': ' + (100 * below / t.samples).toFixed(3) + '% of ' + t.label + ' at or below';
  };

  function panelBox(sec, panel) {
    var box = el('div', 'chart-box lat-box');
    var head = el('h3', null, panel.metric + ' ' + panel.dir);
    box.appendChild(head);
    var marks = el('p', 'lat-marks');
    Object.keys(panel.percentiles || {}).forEach(function (name) {
      var s = el('span', 'lat-mark', name + ' ' + fmt(panel.percentiles[name]));
      s.style.borderLeft = '4px solid ' + (MARK_COLORS[name] || '#d62728');
      s.style.padding = '0 10px 0 4px';
      marks.appendChild(s);
    });
    box.appendChild(marks);
    var buttons = el('div', 'lat-modes');
    box.appendChild(buttons);
    sec.appendChild(box);
    var chart = new DistChart(box, panel);
    ['histogram', 'cdf'].forEach(function (mode) {
      var b = el('button', 'lat-mode', mode === 'cdf' ? 'CDF' : 'Histogram');
      b.type = 'button';
      b.setAttribute('data-mode', mode);
      b.addEventListener('click', function () { chart.setMode(mode); });
      buttons.appendChild(b);
    });
    var legend = el('div', 'legend');
    var n = 0;
    panel.tracks.forEach(function (t) {
      var item = el('span', 'legend-item');
      var sw = el('i');
      sw.style.background = t.total ? '#000' : COLORS[n++ % COLORS.length];
      item.appendChild(sw);
      item.appendChild(document.createTextNode(t.label + ' (' + t.samples + ' I/Os)'));
      legend.appendChild(item);
    });
    box.appendChild(legend);
    box.setAttribute('data-tracks', String(panel.tracks.length));
    chart.setMode('histogram');
    return chart;
  }

  function overTime(sec, ot) {
    var box = el('div', 'chart-box lat-time');
    box.appendChild(el('h3', null, 'completion latency percentiles over time (' + ot.interval_ms + ' ms windows, ' +
                                   ot.files + ' hist log' + (ot.files > 1 ? 's, bins summed' : '') + ')'));
    sec.appendChild(box);
    var series = [];
    ot.series.forEach(function (s) {
      ['p50', 'p99', 'p99.9'].forEach(function (p) {
        series.push({ label: (ot.series.length > 1 ? s.dir + ' ' : '') + p, t: s.t, v: s[p] });
      });
    });
    var chart = new window.FiokitChart(box, 'ns');
    chart.setData(series);
    box.setAttribute('data-series', String(series.length));
    box.setAttribute('data-points', String(chart.points()));
  }

  function setup(sec) {
    var run = sec.getAttribute('data-run');
    return fetch('/api/runs/' + encodeURIComponent(run) + '/latency').then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    }).then(function (j) {
      var panels = j.panels || [];
      sec.setAttribute('data-source', j.source || '');
      sec.setAttribute('data-panels', String(panels.length));
      if (!panels.length && !j.over_time) return;
      sec.hidden = false;
      panels.forEach(function (p) { panelBox(sec, p); });
      if (j.over_time && j.over_time.series.length && window.FiokitChart) overTime(sec, j.over_time);
    }).catch(function (e) {
      sec.setAttribute('data-error', String(e.message || e));
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var sec = document.getElementById('latency-dist');
    if (!sec) return;
    setup(sec).then(function () { document.body.setAttribute('data-latency-ready', '1'); });
  });
})();
