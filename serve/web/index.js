// The run index's behaviour on top of the server-rendered page: the next page
// of runs is appended when its "more runs" link comes near the window's
// bottom (or is clicked), and the filter applies as you type. Both fetch the HTML the
// server renders for a plain link and take its rows, so a row looks the same
// however it arrived and the page works without this script. The body's
// data-index-loads counts pages fetched, for a headless browser test.
(function () {
  'use strict';

  function setup() {
    var table = document.querySelector('table.runs');
    if (!table) return;
    var tbody = table.tBodies[0];
    var count = document.getElementById('run-count');
    var loads = 0;
    var generation = 0;
    var busy = false;

    function countText(first, last, matched, total) {
      return 'runs ' + first + '\u2013' + last + ' of ' + matched + (matched === total ? '' : ' matching, ' + total + ' in all');
    }

    // Rows, totals and the next "more" link of a fetched page. replace: a new
    // filter (rows start over); else the rows are appended.
    function adopt(doc, replace) {
      var other = doc.querySelector('table.runs');
      if (replace) tbody.innerHTML = '';
      if (other) {
        other.querySelectorAll('tbody tr').forEach(function (tr) { tbody.appendChild(document.importNode(tr, true)); });
        table.setAttribute('data-matched', other.getAttribute('data-matched'));
        table.setAttribute('data-total', other.getAttribute('data-total'));
        if (replace) table.setAttribute('data-offset', other.getAttribute('data-offset'));
      }
      var more = document.querySelector('p.more');
      if (more) more.parentNode.removeChild(more);
      var next = doc.querySelector('p.more');
      if (next) {
        var wrap = table.parentNode;  // div.table-wrap
        wrap.parentNode.insertBefore(document.importNode(next, true), wrap.nextSibling);
      }
      var shown = tbody.querySelectorAll('tr[data-id]').length;
      var offset = Number(table.getAttribute('data-offset') || 0);
      if (count) {
        count.textContent = countText(shown ? offset + 1 : 0, offset + shown, Number(table.getAttribute('data-matched')),
                                      Number(table.getAttribute('data-total')));
      }
      document.body.setAttribute('data-index-loads', String(++loads));
      watchMore();
    }

    function fetchPage(url) {
      return fetch(url, { headers: { Accept: 'text/html' } }).then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.text();
      }).then(function (html) { return new DOMParser().parseFromString(html, 'text/html'); });
    }

    function loadMore() {
      var link = document.querySelector('p.more a.more-link');
      if (!link || busy) return;
      busy = true;
      var mine = generation;
      link.classList.add('loading');
      fetchPage(link.getAttribute('href')).then(function (doc) {
        busy = false;
        if (mine === generation) adopt(doc, false);
      }).catch(function (e) {
        busy = false;
        link.classList.remove('loading');
        link.setAttribute('data-error', String(e.message || e));
      });
    }

    // The next page comes when its link is within 400 px of the window's
    // bottom: checked at once (a short first page loads the rest without a
    // scroll) and on every scroll or resize, rather than by an
    // IntersectionObserver, whose callbacks wait for a rendered frame.
    function maybeLoadMore() {
      var link = document.querySelector('p.more a.more-link');
      if (link && link.getBoundingClientRect().top < (window.innerHeight || 800) + 400) loadMore();
    }

    function watchMore() {
      var link = document.querySelector('p.more a.more-link');
      if (!link) return;
      link.addEventListener('click', function (e) {
        e.preventDefault();
        loadMore();
      });
      maybeLoadMore();
    }

    // The filter as you type: the same GET the form would send, a moment
    // after the last key, and the URL kept so a reload or a link shows it.
    var form = document.querySelector('form.filter');
    var input = document.getElementById('run-filter');
    var timer = null;
    if (form && input) {
      input.addEventListener('input', function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var url = '/?' + new URLSearchParams(new FormData(form)).toString().replace(/(^|&)q=(&|$)/, '$1');
          var mine = ++generation;
          busy = false;
          fetchPage(url).then(function (doc) {
            if (mine !== generation) return;  // a later keystroke won
            adopt(doc, true);
            history.replaceState(null, '', url);
          }).catch(function () {});
        }, 250);
      });
    }
    document.body.setAttribute('data-index-loads', '0');
    window.addEventListener('scroll', maybeLoadMore, { passive: true });
    window.addEventListener('resize', maybeLoadMore);
    watchMore();
  }

  document.addEventListener('DOMContentLoaded', setup);
})();
