/* map.js - the system map (map.html): every stop, the chosen route's line
 * through its stops, and the live vehicles drawn by status (shape and
 * colour) on a plain equirectangular projection in SVG: no map tiles, no
 * third-party service.  Stops from /api/v1/stops (once), vehicles from
 * /api/realtime every 10 s (ETag), route lines from the feed's shapes
 * (/api/v1/shapes, once), else through the route's stops
 * (/api/v1/stops?route_id=). */
(function (MTW, UI) {
    'use strict';
    var h = UI.h, $ = UI.$;
    var s = UI.svg;
    var W = 800, H = 560;
    var proj = null, stops = [], vehicles = [], routes = {}, shapes = {};
    var sel = $('route');
    var routeId = UI.params.get('route');
    if (!MTW.validId(routeId)) { routeId = ''; }

    function drawStops() {
        var g = UI.clear($('m-stops'));
        if (!proj) { return; }
        stops.forEach(function (st) {
            var p = proj.project(st.lat, st.lon);
            g.appendChild(s('circle', { cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: 2.2, class: 'stop' }, st.name));
        });
    }

    function drawVehicles() {
        var g = UI.clear($('m-vehicles'));
        var now = UI.now();
        var shown = vehicles.filter(function (v) { return MTW.isNum(v.lat) && MTW.isNum(v.lon); });
        if (proj) {
            shown.forEach(function (v) {
                var p = proj.project(v.lat, v.lon);
                var r = routes[v.route];
                g.appendChild(UI.vehicleMark(v, p[0], p[1],
                    'Vehicle ' + v.id + (r ? ', route ' + (r.short_name || v.route) : '')));
            });
        }
        $('map-count').textContent = stops.length + ' stops · ' + shown.length + ' vehicles';
        UI.fill($('veh-rows'), shown.map(function (v) {
            var r = routes[v.route];
            return h('tr', {}, h('th', { scope: 'row' }, v.id),
                h('td', {}, r ? (r.short_name || v.route) : (v.route || '—')),
                h('td', {}, UI.statusChip(v)),
                h('td', {}, v.status ? MTW.fmtDelay(v.status.deviation_sec) : '—'),
                h('td', {}, UI.crowdChip(v.occupancy) || '—'),
                h('td', {}, MTW.fmtAgo(v.ts, now)));
        }));
    }

    function line(points) { return UI.svgPoints(proj, points); }

    /* every route's shapes, thin, in the route's colour */
    function drawShapes() {
        var g = UI.clear($('m-shapes'));
        if (!proj) { return; }
        Object.keys(shapes).forEach(function (id) {
            var r = shapes[id];
            r.shapes.forEach(function (sh) {
                if (sh.points.length < 2) { return; }
                g.appendChild(s('polyline', { points: line(sh.points), class: 'shape-line',
                                              stroke: MTW.routeColor(r.color) },
                                'Route ' + (r.short_name || id)));
            });
        });
    }

    function drawRoute(list) {
        var g = UI.clear($('m-route'));
        var r = routes[routeId] || {};
        var own = routeId && shapes[routeId];
        if (proj && own) {
            own.shapes.forEach(function (sh) {
                if (sh.points.length < 2) { return; }
                g.appendChild(s('polyline', { points: line(sh.points), stroke: MTW.routeColor(r.color || own.color) },
                                'Route ' + (r.short_name || routeId) + ' (its shape'
                                + (sh.direction === 0 || sh.direction === 1 ? ', direction ' + sh.direction : '') + ')'));
            });
            return;
        }
        if (!proj || !list || list.length < 2) { return; }
        var pts = list.map(function (st) { var p = proj.project(st.lat, st.lon); return p[0].toFixed(1) + ',' + p[1].toFixed(1); });
        g.appendChild(s('polyline', { points: pts.join(' '), stroke: MTW.routeColor(r.color) },
                        'Route ' + (r.short_name || routeId) + ' (direction 0, through its stops)'));
    }

    var realtime = null;
    function realtimeUrl() { return UI.api('realtime', null, { route_id: routeId || null }); }

    function chooseRoute() {
        routeId = sel.value;
        var p = new URLSearchParams(window.location.search);
        if (routeId) { p.set('route', routeId); } else { p.delete('route'); }
        var qs = p.toString();
        window.history.replaceState(null, '', window.location.pathname + (qs ? '?' + qs : ''));
        drawRoute(null);
        if (routeId) {
            var want = routeId;
            UI.getJson(UI.api('stops', null, { route_id: routeId })).then(function (r) {
                return r.data.stops;
            }, function () {
                /* no stop list for the route: its live view's timeline (the
                 * representative trip's stops) placed with the stop list */
                return UI.getJson(UI.api('routeLive', { routeId: routeId })).then(function (r) {
                    var at = {};
                    stops.forEach(function (st) { at[st.id] = st; });
                    return (r.data.stops || []).map(function (st) { return at[st.id]; })
                        .filter(Boolean);
                });
            }).then(function (list) {
                if (want === routeId) { drawRoute(list); }
            }, function (e) { UI.showError($('msg'), e); });
        }
        if (realtime) { realtime.stop(); realtime.setUrl(realtimeUrl()); realtime.start(); }
    }
    sel.addEventListener('change', chooseRoute);

    UI.getJson(UI.api('shapes')).then(function (r) {
        (r.data.routes || []).forEach(function (rt) { shapes[rt.route_id] = rt; });
        drawShapes();
        if (routeId) { drawRoute(null); }
    }, function () { /* no shapes published: lines through the stops */ });
    UI.getJson(UI.api('routes')).then(function (r) {
        (r.data.routes || []).slice().sort(function (a, b) {
            return MTW.naturalCompare(a.short_name || a.id, b.short_name || b.id);
        }).forEach(function (rt) {
            routes[rt.id] = rt;
            sel.appendChild(h('option', { value: rt.id }, (rt.short_name || rt.id) + ' · ' + (rt.long_name || '')));
        });
        if (routeId && routes[routeId]) { sel.value = routeId; }
        drawVehicles();
    }, function () { /* the select keeps "All routes" */ });

    UI.getJson(UI.api('stops')).then(function (r) {
        stops = (r.data.stops || []).filter(function (st) { return MTW.isNum(st.lat) && MTW.isNum(st.lon); });
        proj = MTW.makeProjection(stops.map(function (st) { return [st.lat, st.lon]; }), W, H, 16);
        UI.tileLayer($('m-tiles'), proj, $('map-attribution'));
        drawShapes();
        drawStops();
        drawVehicles();
        if (routeId) { chooseRoute(); }
    }, function (e) {
        UI.showError($('msg'), e);
    }).then(function () {
        realtime = UI.poll(realtimeUrl(), {
            interval: 10000, errorEl: $('msg'),
            onData: function (d) {
                vehicles = d.vehicles || [];
                if (!proj && vehicles.length) {
                    proj = MTW.makeProjection(vehicles.map(function (v) { return [v.lat, v.lon]; }), W, H, 16);
                }
                drawVehicles();
            },
            onNotModified: drawVehicles
        });
    });
}(window.MTW, window.UI));
