// Page behaviour: draws every .chart element from the series API (its
// data-sources list names run and log), refetches at full resolution for the
// zoomed range, and records the points drawn in data-points so a headless
// browser test can tell a chart with data from an empty one.
(function () {
  'use strict';

  function seriesUrl(src, maxPoints, from, to) {
    var u = '/api/runs/' + encodeURIComponent(src.run) + '/series?log=' + encodeURIComponent(src.log) +
            '&max_points=' + maxPoints;
    if (from !== null && from !== undefined) u += '&from=' + from + '&to=' + to;
    return u;
  }

  // serve answers 503 with Retry-After when this address has too many log
  // scans at once (a page of many large logs): wait as told and ask again.
  function fetchRetrying(url, tries) {
    return fetch(url).then(function (r) {
      if (r.status !== 503 || tries <= 0) return r;
      var secs = Math.min(5, Math.max(1, parseInt(r.headers.get('Retry-After'), 10) || 1));
      return new Promise(function (ok) { setTimeout(ok, secs * 1000); }).then(function () {
        return fetchRetrying(url, tries - 1);
      });
    });
  }

  function setupChart(el) {
    var sources;
    try { sources = JSON.parse(el.getAttribute('data-sources') || '[]'); } catch (e) { sources = []; }
    var chart = new window.FiokitChart(el, el.getAttribute('data-unit'));
    var generation = 0;
    function load(from, to) {
      var mine = ++generation;
      var maxPoints = Math.max(200, Math.min(4000, Math.round((el.clientWidth || 800) * 2)));
      el.classList.add('loading');
      return Promise.all(sources.map(function (src) {
        return fetchRetrying(seriesUrl(src, maxPoints, from, to), 5).then(function (r) {
          if (!r.ok) throw new Error(src.log + ': HTTP ' + r.status);
          return r.json();
        }).then(function (j) {
          return j.series.map(function (s) { return { label: src.label + ' ' + s.dir, t: s.t, v: s.v }; });
        }).catch(function (e) {
          el.setAttribute('data-error', String(e.message || e));
          return [];
        });
      })).then(function (lists) {
        if (mine !== generation) return;  // a newer zoom superseded this one
        var all = [].concat.apply([], lists);
        chart.setData(all);
        el.classList.remove('loading');
        el.setAttribute('data-points', String(chart.points()));
        el.setAttribute('data-series', String(all.length));
      });
    }
    chart.onZoom = function (from, to) { return load(from, to); };
    // The heading names the unit the axis shows (MiB/s, ms), not the log's raw one.
    chart.onAxisUnit = function (unit) {
      var box = el.parentNode;
      var small = box && box.querySelector('h3 small.unit');
      if (small) small.textContent = '(' + unit + ')';
    };
    // "#zoom=FROM-TO" (ms) opens the charts zoomed, e.g. from a shared link.
    var m = /zoom=(\d+)-(\d+)/.exec(window.location.hash);
    return load(null, null).then(function () {
      if (m) return chart.zoomTo(Number(m[1]), Number(m[2]));
    });
  }

  function setupCompareForm() {
    var form = document.querySelector('form[action="/compare"]');
    if (!form) return;
    var button = form.querySelector('button[type=submit]');
    // Counted on each change: rows appended later (index.js) have boxes too.
    function update() {
      button.disabled = form.querySelectorAll('input[type=checkbox]:checked').length < 2;
    }
    form.addEventListener('change', update);
    update();
  }

  document.addEventListener('DOMContentLoaded', function () {
    setupCompareForm();
    var charts = document.querySelectorAll('.chart');
    Promise.all(Array.prototype.map.call(charts, setupChart)).then(function () {
      document.body.setAttribute('data-charts-ready', String(charts.length));
    });
  });
})();
