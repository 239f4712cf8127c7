// Live panel of a run in progress (serve/live.hpp): polls /api/runs/{id}/live
// every second and shows the figures of the last second, summed over hosts
// (per job and direction), the aggregate IOPS / bandwidth / latency charts
// and, for a cluster run, per-host charts and the members' states. Charts are
// FiokitChart (chart.js), fed point by point; each keeps the last MAX_POINTS.
// When the run is over the page reloads once into the normal run page.
// data-updates, data-total-ios and each chart's data-points record what was
// drawn, for the headless-browser tests.
(function () {
  'use strict';
  var box = document.getElementById('live');
  if (!box || !window.FiokitChart) return;
  var id = box.getAttribute('data-run');
  var url = '/api/runs/' + encodeURIComponent(id) + '/live';
  var MAX_POINTS = 900;  // 15 minutes at one a second
  var fmt = window.fiokitFormatValue;
  var charts = {};
  var lastT = null, updates = 0, stopped = false, seenLive = false;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;  // text, never HTML
    return e;
  }

  // A chart box in the panel, made on first use; unit as chart.js knows it.
  function chart(key, title, unit) {
    if (charts[key]) return charts[key];
    var section = el('section', 'chart-box');
    var h = el('h3', null, title + ' ');
    var small = el('small', 'unit', unit ? '(' + unit + ')' : '');
    h.appendChild(small);
    var div = el('div', 'chart live-chart');
    div.setAttribute('data-kind', 'live-' + key);
    div.setAttribute('data-points', '0');
    section.appendChild(h);
    section.appendChild(div);
    box.querySelector('.live-charts').appendChild(section);
    var c = { chart: new window.FiokitChart(div, unit), div: div, series: {}, order: [] };
    c.chart.onAxisUnit = function (u) { small.textContent = u ? '(' + u + ')' : ''; };
    // A drag zooms as on the other charts; until then the view follows the
    // run: at least 10 s wide, the last 5 minutes once longer.
    c.chart.onZoom = function (from) { c.zoomed = from !== null; };
    charts[key] = c;
    return c;
  }

  function push(c, label, t, v) {
    var s = c.series[label];
    if (!s) { s = c.series[label] = { label: label, t: [], v: [] }; c.order.push(label); }
    s.t.push(t);
    s.v.push(v);
    if (s.t.length > MAX_POINTS) { s.t.shift(); s.v.shift(); }
  }

  function follow(c) {
    var t0 = Infinity, t1 = -Infinity;
    c.order.forEach(function (l) {
      var s = c.series[l];
      if (s.t.length) { t0 = Math.min(t0, s.t[0]); t1 = Math.max(t1, s.t[s.t.length - 1]); }
    });
    if (!isFinite(t0)) return;
    t0 = Math.max(t0, t1 - 300000);
    c.chart.view = [Math.max(0, Math.min(t0, t1 - 10000)), Math.max(t1, t0 + 10000)];
  }

  function redraw() {
    Object.keys(charts).forEach(function (k) {
      var c = charts[k];
      if (!c.zoomed) follow(c);
      c.chart.setData(c.order.map(function (l) { return c.series[l]; }));
      c.div.setAttribute('data-points', String(c.chart.points()));
    });
  }

  function hostLabel(h) { return (h.host || 'host') + ' #' + h.index; }

  // numeric: indexes of the right-aligned columns.
  function row(cells, th, numeric) {
    var tr = el('tr');
    cells.forEach(function (c, i) {
      var td = el(th ? 'th' : 'td', numeric.indexOf(i) >= 0 ? 'num' : null, c);
      tr.appendChild(td);
    });
    return tr;
  }

  // The table of current figures: aggregate per job and direction, and in all.
  function showNow(agg) {
    var table = el('table', 'summary live-table');
    var head = el('thead');
    var NUM = [2, 3, 4, 5, 6];
    head.appendChild(row(['Job', 'Dir', 'IOPS', 'Bandwidth', 'lat mean', 'lat p99', 'I/Os so far'], true, NUM));
    table.appendChild(head);
    var body = el('tbody');
    function cells(name, dir, f) {
      return [name, dir, fmt(f.iops, ''), fmt(f.bw_bytes / 1024, 'KiB/s'), fmt(f.lat_mean_ns, 'ns'),
              fmt(f.lat_p99_ns, 'ns'), String(f.total_ios)];
    }
    agg.jobs.forEach(function (j) { body.appendChild(row(cells(j.job, j.direction, j), false, NUM)); });
    var total = row(cells('all', '', agg.total), false, NUM);
    total.className = 'live-total';
    body.appendChild(total);
    table.appendChild(body);
    var now = box.querySelector('.live-now');
    now.textContent = '';
    now.appendChild(table);
  }

  function showMembers(cluster) {
    var div = box.querySelector('.live-members');
    div.textContent = '';
    if (!cluster) return;
    div.appendChild(el('h3', null, 'Members (' + cluster.size + ', run ' + cluster.state + ')'));
    var table = el('table', 'summary live-members-table');
    var head = el('thead');
    head.appendChild(row(['#', 'Host', 'State', 'Exit', 'Error'], true, [0, 3]));
    table.appendChild(head);
    var body = el('tbody');
    cluster.members.forEach(function (m) {
      var tr = row([String(m.index), m.host, m.state, String(m.exit_code), m.error || ''], false, [0, 3]);
      tr.className = 'member-' + m.state;
      body.appendChild(tr);
    });
    table.appendChild(body);
    div.appendChild(table);
  }

  function reloadOnce() {
    stopped = true;
    var key = 'fiokit-live-reload:' + id, last = 0;
    try { last = Number(window.sessionStorage.getItem(key) || 0); } catch (e) { last = Date.now(); }
    if (Date.now() - last < 10000) return;  // reloaded a moment ago: the page is already the final one
    try { window.sessionStorage.setItem(key, String(Date.now())); } catch (e) { return; }
    window.location.reload();
  }

  function update(j) {
    // A run dir that never had figures (no results yet, not a cluster run)
    // keeps the panel hidden.
    if (j.aggregate || j.state !== 'finished') box.hidden = false;
    box.setAttribute('data-state', j.state);
    var state = box.querySelector('.live-state');
    state.textContent = j.state === 'stalled' ? 'stalled: no new snapshot for 30 s or more' : j.state;
    if (j.state !== 'finished') seenLive = true;
    // Over: reload into the normal page, when this page was the live one.
    if (j.state === 'finished') {
      if (seenLive || box.getAttribute('data-expect') === 'running') reloadOnce();
      else stopped = true;
    }
    if (!j.aggregate || j.t_ms === lastT) return;  // nothing new since the last poll
    lastT = j.t_ms;
    updates++;
    var t = j.elapsed_ms;
    var agg = j.aggregate;
    var iops = chart('iops', 'IOPS', ''), bw = chart('bw', 'Bandwidth', 'KiB/s'), lat = chart('lat', 'Latency', 'ns');
    agg.directions.forEach(function (d) {
      push(iops, d.direction, t, d.iops);
      push(bw, d.direction, t, d.bw_bytes / 1024);
      push(lat, d.direction + ' mean', t, d.lat_mean_ns);
      push(lat, d.direction + ' p99', t, d.lat_p99_ns);
    });
    if (j.kind === 'cluster') {
      var hi = chart('host-iops', 'IOPS per host', ''), hb = chart('host-bw', 'Bandwidth per host', 'KiB/s'),
          hl = chart('host-lat', 'p99 latency per host', 'ns');
      j.hosts.forEach(function (h) {
        if (!h.total) return;
        push(hi, hostLabel(h), h.elapsed_ms, h.total.iops);
        push(hb, hostLabel(h), h.elapsed_ms, h.total.bw_bytes / 1024);
        push(hl, hostLabel(h), h.elapsed_ms, h.total.lat_p99_ns);
      });
    }
    redraw();
    showNow(agg);
    showMembers(j.cluster);
    box.setAttribute('data-updates', String(updates));
    box.setAttribute('data-total-ios', String(agg.total.total_ios));
    box.setAttribute('data-iops', String(Math.round(agg.total.iops)));
  }

  function poll() {
    fetch(url, { cache: 'no-store' }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    }).then(update).catch(function (e) {
      box.setAttribute('data-error', String(e.message || e));
    }).then(function () {
      if (!stopped) window.setTimeout(poll, 1000);
    });
  }

  poll();
})();
