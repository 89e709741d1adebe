/* stops.js - stop arrivals (stops.html?stop=): find a stop by name or by
 * the rider's position, then its next arrivals, refreshed every 15 s with
 * If-None-Match.  Arrivals from the timetable alone say "Scheduled". */
(function (MTW, UI) {
    'use strict';
    var h = UI.h, $ = UI.$;
    var poller = null;
    var current = UI.params.get('stop');
    var lastPreds = null;
    var alerts = null;

    function setStop(id, push) {
        if (!MTW.validId(id)) { return; }
        current = id;
        if (push) {
            var p = new URLSearchParams(window.location.search);
            p.set('stop', id);
            window.history.replaceState(null, '', window.location.pathname + '?' + p.toString());
        }
        Array.prototype.forEach.call(document.querySelectorAll('#hits a'), function (a) {
            a.setAttribute('aria-current', a.getAttribute('data-id') === id ? 'true' : 'false');
        });
        $('arrivals').hidden = false;
        if (alerts) {
            alerts.stop(); alerts.setUrl(UI.alertsUrl({ stop_id: id })); alerts.start();
        } else {
            alerts = UI.alertsBox($('alerts'), { stop_id: id });
        }
        var url = UI.api('stopPredictions', { stopId: id }, { limit: 10 });
        if (poller) { poller.stop(); poller.setUrl(url); poller.start(); return; }
        poller = UI.poll(url, { interval: 15000, errorEl: $('msg'), onData: render,
            onError: function (e) {
                UI.fill($('preds'));
                if (e.status === 503 && e.code === 'not_published') {
                    UI.message($('msg'), 'info', 'No arrivals are published for this stop right now '
                        + '(no bus is predicted there, or the service is warming up). Checking again in '
                        + e.retryIn + ' s.');
                }
            } });
    }

    function render(d) {
        lastPreds = d;
        $('stop-title').textContent = 'Arrivals at ' + (d.stop_name || d.stop_id) + ' (stop ' + d.stop_id + ')';
        draw();
    }

    function draw() {
        var d = lastPreds;
        if (!d) { return; }
        var now = UI.now();
        var ps = (d.predictions || []).filter(function (p) { return p.arrival_at >= now - 60; });
        if (!ps.length) {
            UI.fill($('preds'), h('tr', {}, h('td', { colspan: '7' }, 'No arrivals predicted in the next 90 minutes.')));
            return;
        }
        UI.fill($('preds'), ps.map(function (p) {
            var k = MTW.predictionKind(p);
            var eta = p.arrival_at - now;
            return h('tr', {},
                h('td', {}, UI.routeBadge({ short_name: p.route_short_name || p.route_id })),
                h('td', {}, p.headsign || '—'),
                h('td', {}, h('span', { class: eta <= 120 ? 'chip chip-now' : (eta <= 300 ? 'chip chip-soon' : 'chip') },
                              MTW.fmtEta(p.arrival_at, now))),
                h('td', {}, MTW.fmtClock(p.arrival_at)),
                h('td', {}, k.scheduled ? h('span', { class: 'chip chip-sched' }, 'Scheduled')
                                        : h('span', {}, 'Live · ' + p.confidence + ' confidence'),
                  UI.crowdChip(p.occupancy) ? [' ', UI.crowdChip(p.occupancy)] : null),
                h('td', {}, MTW.fmtDelay(p.delay_sec)),
                h('td', {}, k.scheduled ? '—' : (p.vehicle_id || '—'),
                  p.current_location && MTW.isNum(p.current_location.stops_away)
                    ? ' (' + p.current_location.stops_away + ' stops away)' : ''));
        }));
    }
    setInterval(draw, 10000);

    function showHits(list) {
        if (!list.length) {
            UI.message($('search-msg'), 'info', 'No stop found.');
            UI.fill($('hits'));
            return;
        }
        UI.message($('search-msg'), 'info', '');
        UI.fill($('hits'), list.map(function (s) {
            var a = h('a', { href: UI.page('stops.html', { stop: s.gtfs_id }), 'data-id': s.gtfs_id,
                             'aria-current': s.gtfs_id === current ? 'true' : 'false' },
                      s.name + (MTW.isNum(s.distance_km) ? ' · ' + Math.round(s.distance_km * 1000) + ' m' : ''));
            a.addEventListener('click', function (ev) { ev.preventDefault(); setStop(s.gtfs_id, true); });
            return h('li', {}, a);
        }));
    }

    /* the API's search; when it is unavailable (503), the same search in
     * the browser over the stop list document */
    var allStops = null;
    function localSearch(query) {
        var ready = allStops ? Promise.resolve(allStops)
            : UI.getJson(UI.api('stops')).then(function (r) {
                allStops = r.data.stops || [];
                return allStops;
            });
        return ready.then(function (stops) {
            return query.name ? MTW.searchStops(stops, query.name, query.limit)
                : MTW.nearestStops(stops, +query.lat, +query.lon, query.limit);
        });
    }
    function search(query) {
        var f = window.fetch.bind(window);
        MTW.getJson(f, UI.api('stopSearch', null, query)).then(function (r) {
            showHits(r.data || []);
        }, function (e) {
            if (e.status !== 503) { UI.showError($('search-msg'), e); return; }
            localSearch(query).then(showHits, function (e2) { UI.showError($('search-msg'), e2); });
        });
    }

    $('stop-form').addEventListener('submit', function (ev) {
        ev.preventDefault();
        var name = $('stop-q').value.trim();
        if (name.length < 1) { return; }
        search({ name: name.slice(0, 64), limit: 20 });
    });
    $('near').addEventListener('click', function () {
        if (!navigator.geolocation) {
            UI.message($('search-msg'), 'error', 'This browser cannot share its position.');
            return;
        }
        UI.message($('search-msg'), 'info', 'Finding your position…');
        navigator.geolocation.getCurrentPosition(function (pos) {
            search({ lat: pos.coords.latitude.toFixed(6), lon: pos.coords.longitude.toFixed(6), limit: 10 });
        }, function (err) {
            UI.message($('search-msg'), 'error', 'Position unavailable: ' + err.message);
        }, { timeout: 10000 });
    });
    if (current) { setStop(current, false); } else { UI.fill($('updated'), 'Search a stop to see its arrivals.'); }
}(window.MTW, window.UI));
