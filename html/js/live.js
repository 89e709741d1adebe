/* live.js - a route live (live.html?id=): headway spread and vehicles
 * online, the stop timeline with the buses approaching each stop, and every
 * vehicle with its status, next stop, speed, delay and last report.
 * Polls /api/dashboard/routes/{id}/live every 5 s with If-None-Match; ETAs
 * and "seen ago" are recomputed every second from the browser's clock. */
(function (MTW, UI) {
    'use strict';
    var h = UI.h, $ = UI.$;
    var id = UI.params.get('id');
    var doc = null;
    var lastData = 0;
    var fetchedAt = 0;

    function chip(at, now) {
        var eta = at - now;
        var cls = eta <= 30 ? 'chip chip-now' : (eta <= 300 ? 'chip chip-soon' : 'chip');
        return h('span', { class: cls }, MTW.fmtEta(at, now));
    }

    function renderHead(d) {
        var hw = d.headway || {};
        var hwText = '—';
        if (MTW.isNum(hw.min_sec) && MTW.isNum(hw.max_sec)) {
            hwText = hw.min_sec === hw.max_sec ? MTW.fmtDuration(hw.min_sec)
                : MTW.fmtDuration(hw.min_sec) + ' – ' + MTW.fmtDuration(hw.max_sec);
        }
        var c = d.counts || {};
        UI.fill($('live-head'),
            h('div', { class: 'card' }, h('dt', {}, 'Headway now'), h('dd', {}, hwText)),
            h('div', { class: 'card' }, h('dt', {}, 'Vehicles online'), h('dd', {}, String(c.vehicles_online || 0))),
            h('div', { class: 'card' }, h('dt', {}, 'Stops'), h('dd', {}, String(c.total_stops || 0),
                h('small', {}, (c.timepoints || 0) + ' timepoints'))));
        if (d.direction_label) { $('h-timeline').textContent = 'Stops · ' + d.direction_label; }
    }

    function renderTimeline(d, now) {
        var stops = d.stops || [];
        if (!stops.length) {
            UI.fill($('timeline'), h('li', { class: 'none' }, 'No stop timeline: this route has no trip today.'));
            return;
        }
        UI.fill($('timeline'), stops.map(function (s) {
            var ap = (s.approaching || []).filter(function (a) {
                return a.arrival_at - now > -30 && a.arrival_at - now < 300;
            }).sort(function (a, b) { return a.arrival_at - b.arrival_at; });
            return h('li', { class: ap.length ? 'has-bus' : '' },
                h('span', {}, s.name), s.is_timepoint ? h('span', { class: 'tp', title: 'Timepoint' }, 'timepoint') : null,
                h('div', {}, ap.length ? ap.map(function (a) {
                    return h('span', {}, h('span', { class: 'sr-only' }, 'Bus '), a.vehicle_id ? a.vehicle_id + ': ' : '', chip(a.arrival_at, now));
                }) : h('span', { class: 'none' }, 'No vehicles approaching')));
        }));
    }

    function seenClass(age) { return age < 60 ? 'seen-ok' : (age < 120 ? 'seen-warn' : 'seen-bad'); }

    function renderVehicles(d, now) {
        var vs = (d.vehicles || []).slice().sort(function (a, b) {
            var x = a.next_arrival ? a.next_arrival.arrival_at : Infinity;
            var y = b.next_arrival ? b.next_arrival.arrival_at : Infinity;
            return x - y;
        });
        if (!vs.length) {
            UI.fill($('vehicles'), h('li', {}, 'No vehicles of this route are reporting right now.'));
            return;
        }
        UI.fill($('vehicles'), vs.map(function (v) {
            var st = v.status || {};
            var na = v.next_arrival;
            var age = now - v.ts;
            return h('li', {},
                h('div', { class: 'row' }, h('strong', {}, v.display_id || v.vehicle_id), UI.statusChip(v),
                  st.severity ? h('span', {}, st.severity) : null, UI.crowdChip(v.occupancy)),
                h('div', { class: 'row' },
                  h('span', {}, na ? '→ ' + na.stop_name + ' · ' + MTW.fmtEta(na.arrival_at, now) : 'In transit'),
                  h('span', {}, 'Speed ' + (MTW.isNum(v.speed_kmh) ? Math.round(v.speed_kmh) + ' km/h' : '—')),
                  h('span', {}, 'Delay ' + MTW.fmtDelay(st.deviation_sec)),
                  h('span', { class: seenClass(age) }, 'Seen ' + MTW.fmtAgo(v.ts, now))),
                st.reason ? h('div', { class: 'reason' }, st.reason) : null);
        }));
    }

    function conn(kind, text) {
        $('conn').className = 'conn ' + kind;
        $('conn-text').textContent = text;
    }

    /* the map: the route's shape and stops once, its vehicles each poll */
    var map = { proj: null, shape: null, stops: null };
    function drawMap() {
        var pts = [];
        if (map.shape) { map.shape.shapes.forEach(function (sh) { pts = pts.concat(sh.points); }); }
        if (map.stops) { map.stops.forEach(function (st) { pts.push([st.lat, st.lon]); }); }
        if (pts.length < 2) { return; }
        $('live-map-fig').hidden = false;
        map.proj = MTW.makeProjection(pts, 800, 420, 16);
        UI.tileLayer($('lm-tiles'), map.proj, null);
        var g = UI.clear($('lm-shape'));
        var color = MTW.routeColor(map.shape && map.shape.color);
        (map.shape ? map.shape.shapes : []).forEach(function (sh) {
            if (sh.points.length > 1) {
                g.appendChild(UI.svg('polyline', { points: UI.svgPoints(map.proj, sh.points), class: 'shape-line route-line',
                                                   stroke: color }, 'The route\'s line'));
            }
        });
        g = UI.clear($('lm-stops'));
        (map.stops || []).forEach(function (st) {
            var p = map.proj.project(st.lat, st.lon);
            g.appendChild(UI.svg('circle', { cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: 3, class: 'stop' }, st.name));
        });
        drawMapVehicles();
    }
    function drawMapVehicles() {
        var g = UI.clear($('lm-vehicles'));
        var vs = (doc && doc.vehicles || []).filter(function (v) { return MTW.isNum(v.lat) && MTW.isNum(v.lon); });
        if (!map.proj) { return; }
        vs.forEach(function (v) {
            var p = map.proj.project(v.lat, v.lon);
            g.appendChild(UI.vehicleMark(v, p[0], p[1], v.display_id || v.vehicle_id));
        });
        $('lm-caption').textContent = (map.shape && map.shape.shapes.length ? 'The route\'s line from the feed\'s shapes, '
            : 'No shape in the feed: stops only, ') + (map.stops || []).length + ' stops, ' + vs.length + ' vehicle'
            + (vs.length === 1 ? '' : 's') + ' placed.';
    }

    function renderAll() {
        if (!doc) { return; }
        var now = UI.now();
        /* the document's own age when it came, plus the time since: not
         * the browser's clock against the server's */
        var age = MTW.isNum(doc.age_sec) ? doc.age_sec + (now - fetchedAt) : now - doc.updated_at;
        var stale = $('stale');
        if (doc.is_stale || age > 120) {
            stale.hidden = false;
            stale.textContent = 'The live feed is stale: the last update was ' + MTW.fmtAgo(now - age, now) + '.';
        } else {
            stale.hidden = true;
        }
        renderTimeline(doc, now);
        renderVehicles(doc, now);
    }

    if (!MTW.validId(id)) {
        UI.message($('msg'), 'error', 'No route chosen: open a route from the route list.');
        conn('down', 'No route');
        return;
    }
    $('tab-history').href = UI.page('route.html', { id: id });
    UI.getJson(UI.api('route', { routeId: id })).then(function (r) {
        var rt = r.data && r.data.route;
        if (!rt) { return; }
        var name = 'Route ' + (rt.short_name || rt.id);
        document.title = name + ' live · mind-the-wait';
        UI.fill($('crumb'), h('a', { href: UI.page('route.html', { id: id }) }, name), ' / Live');
        UI.fill($('title'), UI.routeBadge(rt), ' ', (rt.long_name || name), ' · live');
    }, function () { /* the live poller reports errors */ });

    UI.getJson(UI.api('routeShape', { routeId: id })).then(function (r) {
        map.shape = r.data; drawMap();
    }, function () { /* no shape published: the stops alone */ });
    UI.getJson(UI.api('stops', null, { route_id: id })).then(function (r) {
        map.stops = (r.data.stops || []).filter(function (st) { return MTW.isNum(st.lat) && MTW.isNum(st.lon); });
        drawMap();
    }, function () { /* no stop list: the map waits for the shape */ });
    UI.alertsBox($('alerts'), { route_id: id });
    UI.poll(UI.api('routeLive', { routeId: id }), {
        interval: 5000, errorEl: $('msg'),
        onData: function (d) {
            doc = d; lastData = fetchedAt = UI.now();
            conn('live', 'Live');
            renderHead(d);
            renderAll();
            drawMapVehicles();
        },
        onNotModified: function () { lastData = UI.now(); conn('live', 'Live'); },
        onError: function (e) { conn('down', e.status === 404 ? 'Unknown route' : 'Reconnecting…'); }
    });
    setInterval(function () {
        if (doc && UI.now() - lastData > 15) { conn('', 'Stale: no answer for ' + Math.round(UI.now() - lastData) + ' s'); }
        renderAll();
    }, 1000);
}(window.MTW, window.UI));
