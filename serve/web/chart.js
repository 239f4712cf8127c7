// fiokit's time-series chart: lines on a <canvas>, drag to zoom into a time
// range, double-click to reset. Hand-written (no library, no CDN) so pages work
// offline; the server already downsamples (min/max per bucket), so this only
// draws what it is given and asks for detail again through onZoom.
(function () {
  'use strict';
  var COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
  var M = { left: 72, right: 14, top: 12, bottom: 34 };

  function niceStep(span, count) {
    var raw = span / Math.max(count, 1);
    var p = Math.pow(10, Math.floor(Math.log10(raw)));
    var f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
  }

  function formatValue(v, unit) {
    if (unit === 'ns') {
      if (v >= 1e9) return (v / 1e9).toFixed(2) + ' s';
      if (v >= 1e6) return (v / 1e6).toFixed(v >= 1e7 ? 0 : 1) + ' ms';
      if (v >= 1e3) return (v / 1e3).toFixed(v >= 1e4 ? 0 : 1) + ' us';
      return v.toFixed(0) + ' ns';
    }
    if (unit === 'KiB/s') {
      if (v >= 1048576) return (v / 1048576).toFixed(2) + ' GiB/s';
      if (v >= 1024) return (v / 1024).toFixed(v >= 10240 ? 0 : 1) + ' MiB/s';
      return v.toFixed(0) + ' KiB/s';
    }
    if (v >= 1e6) return (v / 1e6).toFixed(2) + 'M';
    if (v >= 1e3) return (v / 1e3).toFixed(v >= 1e4 ? 0 : 1) + 'k';
    return String(Math.round(v * 100) / 100);
  }

  // The unit of an axis whose ticks are divided by div.
  function axisUnitOf(unit, div) {
    if (unit === 'KiB/s') return div === 1048576 ? 'GiB/s' : div === 1024 ? 'MiB/s' : 'KiB/s';
    if (unit === 'ns') return div === 1e9 ? 's' : div === 1e6 ? 'ms' : div === 1e3 ? 'us' : 'ns';
    return unit;
  }

  function Chart(container, unit) {
    this.unit = unit || '';
    this.series = [];
    this.view = null;  // [t0, t1] in ms, or null for everything
    this.onZoom = null;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'chart-canvas';
    this.legend = document.createElement('div');
    this.legend.className = 'legend';
    container.appendChild(this.canvas);
    container.appendChild(this.legend);
    this.container = container;
    this.drag = null;
    var self = this;
    this.canvas.addEventListener('mousedown', function (e) { self.drag = { x0: self.px(e), x1: self.px(e) }; });
    this.canvas.addEventListener('mousemove', function (e) {
      if (!self.drag) return;
      self.drag.x1 = self.px(e);
      self.draw();
    });
    window.addEventListener('mouseup', function () {
      if (!self.drag) return;
      var d = self.drag;
      self.drag = null;
      var a = Math.min(d.x0, d.x1), b = Math.max(d.x0, d.x1);
      if (b - a >= 5) {
        var r = self.range();
        self.zoomTo(self.tAt(a, r), self.tAt(b, r));
      } else {
        self.draw();
      }
    });
    this.canvas.addEventListener('dblclick', function () { self.reset(); });
    window.addEventListener('resize', function () { self.draw(); });
  }

  // Shows [t0, t1] (ms) and asks the owner for that range in full detail.
  Chart.prototype.zoomTo = function (t0, t1) {
    if (!(t1 > t0)) return;
    this.view = [t0, t1];
    this.container.setAttribute('data-view', Math.floor(t0) + '-' + Math.ceil(t1));
    var pending = this.onZoom ? this.onZoom(Math.floor(t0), Math.ceil(t1)) : null;
    this.draw();
    return pending;
  };

  Chart.prototype.reset = function () {
    this.view = null;
    this.container.removeAttribute('data-view');
    var pending = this.onZoom ? this.onZoom(null, null) : null;
    this.draw();
    return pending;
  };

  Chart.prototype.px = function (e) {
    var r = this.canvas.getBoundingClientRect();
    return e.clientX - r.left;
  };

  // Data range over all series (time), narrowed to the zoomed view.
  Chart.prototype.range = function () {
    var t0 = Infinity, t1 = -Infinity;
    this.series.forEach(function (s) {
      if (s.t.length) { t0 = Math.min(t0, s.t[0]); t1 = Math.max(t1, s.t[s.t.length - 1]); }
    });
    if (this.view) { t0 = this.view[0]; t1 = this.view[1]; }
    if (!isFinite(t0)) { t0 = 0; t1 = 1; }
    if (t1 <= t0) t1 = t0 + 1;
    var vmax = 0;
    this.series.forEach(function (s) {
      for (var i = 0; i < s.t.length; i++) {
        if (s.t[i] >= t0 && s.t[i] <= t1 && s.v[i] > vmax) vmax = s.v[i];
      }
    });
    if (vmax <= 0) vmax = 1;
    return { t0: t0, t1: t1, v0: 0, v1: vmax * 1.08 };
  };

  Chart.prototype.tAt = function (x, r) {
    var w = this.canvas.clientWidth - M.left - M.right;
    var f = Math.min(Math.max((x - M.left) / w, 0), 1);
    return r.t0 + f * (r.t1 - r.t0);
  };

  Chart.prototype.setData = function (series) {
    this.series = series.map(function (s, i) {
      return { label: s.label, t: s.t, v: s.v, color: COLORS[i % COLORS.length] };
    });
    this.legend.innerHTML = '';
    var self = this;
    this.series.forEach(function (s) {
      var item = document.createElement('span');
      item.className = 'legend-item';
      var sw = document.createElement('i');
      sw.style.background = s.color;
      item.appendChild(sw);
      item.appendChild(document.createTextNode(s.label));  // text, never HTML
      self.legend.appendChild(item);
    });
    this.draw();
  };

  Chart.prototype.points = function () {
    return this.series.reduce(function (n, s) { return n + s.t.length; }, 0);
  };

  Chart.prototype.draw = function () {
    var c = this.canvas, dpr = window.devicePixelRatio || 1;
    var W = c.clientWidth || 600, H = c.clientHeight || 280;
    if (c.width !== Math.round(W * dpr) || c.height !== Math.round(H * dpr)) {
      c.width = Math.round(W * dpr);
      c.height = Math.round(H * dpr);
    }
    var g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, W, H);
    g.fillStyle = '#fff';
    g.fillRect(0, 0, W, H);
    var r = this.range();
    var pw = W - M.left - M.right, ph = H - M.top - M.bottom;
    if (!this.points()) {
      g.strokeStyle = '#888';
      g.strokeRect(M.left + 0.5, M.top + 0.5, pw, ph);
      g.fillStyle = '#999';
      g.font = '12px sans-serif';
      g.textAlign = 'center';
      g.fillText('no samples in this range', M.left + pw / 2, M.top + ph / 2);
      return;
    }
    var X = function (t) { return M.left + (t - r.t0) / (r.t1 - r.t0) * pw; };
    var Y = function (v) { return M.top + ph - (v - r.v0) / (r.v1 - r.v0) * ph; };

    g.font = '11px sans-serif';
    g.strokeStyle = '#e4e4e4';
    g.fillStyle = '#444';
    g.lineWidth = 1;
    // Steps are "nice" in the unit shown (MiB/s, ms), not in the raw unit.
    var div = 1;
    if (this.unit === 'KiB/s') div = r.v1 >= 1048576 ? 1048576 : r.v1 >= 1024 ? 1024 : 1;
    else if (this.unit === 'ns') div = r.v1 >= 1e9 ? 1e9 : r.v1 >= 1e6 ? 1e6 : r.v1 >= 1e3 ? 1e3 : 1;
    var ys = niceStep((r.v1 - r.v0) / div, 5) * div;
    // Every tick in the one unit the axis shows (not 512 KiB/s beside
    // 1.0 MiB/s), and that unit told to the page for the chart's heading.
    var axisUnit = axisUnitOf(this.unit, div);
    if (axisUnit !== this.axisUnit) {
      this.axisUnit = axisUnit;
      this.container.setAttribute('data-axis-unit', axisUnit);
      if (this.onAxisUnit) this.onAxisUnit(axisUnit);
    }
    var decimals = ys / div >= 1 ? 0 : ys / div >= 0.1 ? 1 : 2;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (var v = 0; v <= r.v1; v += ys) {
      var y = Math.round(Y(v)) + 0.5;
      g.beginPath(); g.moveTo(M.left, y); g.lineTo(W - M.right, y); g.stroke();
      g.fillText(div === 1 && this.unit !== 'KiB/s' && this.unit !== 'ns' ? formatValue(v, this.unit)
                                                                          : (v / div).toFixed(decimals) + ' ' + axisUnit,
                 M.left - 6, y);
    }
    var xs = niceStep((r.t1 - r.t0) / 1000, 8) * 1000;
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (var t = Math.ceil(r.t0 / xs) * xs; t <= r.t1; t += xs) {
      var x = Math.round(X(t)) + 0.5;
      g.beginPath(); g.moveTo(x, M.top); g.lineTo(x, M.top + ph); g.stroke();
      g.fillText((t / 1000).toFixed(xs < 1000 ? 1 : 0) + ' s', x, M.top + ph + 6);
    }
    g.strokeStyle = '#888';
    g.strokeRect(M.left + 0.5, M.top + 0.5, pw, ph);

    g.save();
    g.beginPath(); g.rect(M.left, M.top, pw, ph); g.clip();
    g.lineWidth = 1.25;
    this.series.forEach(function (s) {
      g.strokeStyle = s.color;
      g.beginPath();
      var started = false;
      for (var i = 0; i < s.t.length; i++) {
        var px = X(s.t[i]), py = Y(s.v[i]);
        if (!started) { g.moveTo(px, py); started = true; } else g.lineTo(px, py);
      }
      if (s.t.length === 1) g.arc(X(s.t[0]), Y(s.v[0]), 2, 0, 2 * Math.PI);
      g.stroke();
    });
    g.restore();

    if (this.drag) {
      g.fillStyle = 'rgba(31,119,180,0.15)';
      var a = Math.min(this.drag.x0, this.drag.x1), b = Math.max(this.drag.x0, this.drag.x1);
      g.fillRect(a, M.top, b - a, ph);
    }
  };

  window.FiokitChart = Chart;
  window.fiokitFormatValue = formatValue;
})();
