/* lib.js - the dashboard's pure logic: API paths, formatting, sorting and
 * filtering, the map projection, colours, and the ETag polling client.
 * No DOM here: the same file runs in the browser (window.MTW) and under
 * `node --test` (scripts/check-dashboard.sh runs t/js/). */
(function (root, factory) {
    'use strict';
    if (typeof module === 'object' && module.exports) {
        module.exports = factory();
    } else {
        root.MTW = factory();
    }
}(typeof self !== 'undefined' ? self : this, function () {
    'use strict';

    /* Every API path the dashboard calls, as written in docs/openapi.json
     * (t/50-dashboard.t checks each against it). */
    var API = {
        overview: '/api/dashboard/overview',
        routes: '/api/dashboard/routes',
        route: '/api/dashboard/routes/{routeId}',
        routeLive: '/api/dashboard/routes/{routeId}/live',
        weather: '/api/dashboard/weather',
        weatherCurrent: '/api/weather/current',
        stopSearch: '/api/stops',
        stopPredictions: '/api/stops/{stopId}/predictions',
        stops: '/api/v1/stops',
        alerts: '/api/v1/alerts',
        shapes: '/api/v1/shapes',
        routeShape: '/api/v1/routes/{routeId}/shape',
        realtime: '/api/realtime',
        score: '/api/score'
    };

    var ID_RE = /^[A-Za-z0-9._~:-]{1,64}$/;
    var CITY_RE = /^[a-z0-9-]{1,32}$/;

    function validId(id) { return typeof id === 'string' && ID_RE.test(id); }
    function validCity(c) { return typeof c === 'string' && CITY_RE.test(c); }

    /* apiUrl(API.route, {routeId: '1'}, {city: 'x'}) -> path with
     * the template filled and the query appended (null/'' values left out).
     * Throws on an id the API would refuse, so no request is built from it. */
    function apiUrl(template, params, query) {
        var path = template.replace(/\{(\w+)\}/g, function (m, name) {
            var v = params && params[name];
            if (!validId(v)) {
                throw new Error('invalid ' + name + ': ' + v);
            }
            return v;   /* the id alphabet is safe in a path segment */
        });
        var parts = [];
        Object.keys(query || {}).forEach(function (k) {
            var v = query[k];
            if (v === null || v === undefined || v === '') { return; }
            parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(String(v)));
        });
        return parts.length ? path + '?' + parts.join('&') : path;
    }

    /* --- formatting ---------------------------------------------------- */

    function isNum(v) { return typeof v === 'number' && isFinite(v); }

    function fmtNum(v, dp) {
        if (!isNum(v)) { return '—'; }
        return v.toFixed(dp === undefined ? 1 : dp);
    }

    function fmtPct(v, dp) {
        return isNum(v) ? fmtNum(v, dp) + '%' : '—';
    }

    /* a share 0..1 as a percentage */
    function fmtShare(v) {
        return isNum(v) ? Math.round(v * 100) + '%' : '—';
    }

    /* a duration in seconds: "45 s", "9 min", "1 h 05 min" */
    function fmtDuration(sec) {
        if (!isNum(sec)) { return '—'; }
        var neg = sec < 0 ? '−' : '';
        var s = Math.round(Math.abs(sec));
        if (s < 60) { return neg + s + ' s'; }
        var m = Math.round(s / 60);
        if (m < 60) { return neg + m + ' min'; }
        var h = Math.floor(m / 60);
        var mm = m % 60;
        return neg + h + ' h ' + (mm < 10 ? '0' : '') + mm + ' min';
    }

    /* how long ago a unix time was, seen at `now` (both seconds) */
    function fmtAgo(ts, now) {
        if (!isNum(ts) || !isNum(now)) { return 'never'; }
        var d = Math.round(now - ts);
        if (d < 5) { return 'just now'; }
        if (d < 60) { return d + ' s ago'; }
        var m = Math.floor(d / 60);
        if (m < 60) { return m + ' min ago'; }
        var h = Math.floor(m / 60);
        return h + ' h ' + (m % 60) + ' min ago';
    }

    /* the live view's arrival chip (reference-api.md §5.4) */
    function fmtEta(arrivalAt, now) {
        if (!isNum(arrivalAt) || !isNum(now)) { return '—'; }
        var eta = arrivalAt - now;
        if (eta < 0) { return 'At stop'; }
        if (eta <= 30) { return 'Arriving now'; }
        var m = Math.round(eta / 60);
        if (m <= 1) { return '<1 min'; }
        return m + ' min';
    }

    /* minutes until an arrival, for sorting and urgency (null when unknown) */
    function etaMinutes(arrivalAt, now) {
        if (!isNum(arrivalAt) || !isNum(now)) { return null; }
        return Math.max(0, Math.round((arrivalAt - now) / 60));
    }

    /* a schedule deviation: "On time", "3 min early", "+4 min late" */
    function fmtDelay(sec) {
        if (!isNum(sec)) { return '—'; }
        var m = Math.round(sec / 60);
        if (m === 0) { return 'On time'; }
        if (m < 0) { return (-m) + ' min early'; }
        return '+' + m + ' min late';
    }

    /* a unix time as a wall-clock time, in the browser's zone unless given */
    /* the feed's OccupancyStatus name as a rider reads it, with a tone;
     * null when the feed says nothing (absent or NO_DATA_AVAILABLE) */
    var OCCUPANCY = {
        EMPTY: ['Empty', 'good'], MANY_SEATS_AVAILABLE: ['Many seats', 'good'],
        FEW_SEATS_AVAILABLE: ['Few seats', 'warn'], STANDING_ROOM_ONLY: ['Standing room only', 'warn'],
        CRUSHED_STANDING_ROOM_ONLY: ['Crowded', 'bad'], FULL: ['Full', 'bad'],
        NOT_ACCEPTING_PASSENGERS: ['Not taking passengers', 'bad'], NOT_BOARDABLE: ['Not boardable', 'bad']
    };
    /* GTFS-RT OccupancyStatus by number (the realtime document's form) */
    var OCCUPANCY_BY_NUMBER = ['EMPTY', 'MANY_SEATS_AVAILABLE', 'FEW_SEATS_AVAILABLE',
        'STANDING_ROOM_ONLY', 'CRUSHED_STANDING_ROOM_ONLY', 'FULL',
        'NOT_ACCEPTING_PASSENGERS', 'NO_DATA_AVAILABLE', 'NOT_BOARDABLE'];
    function occupancy(name) {
        if (typeof name === 'number') { name = OCCUPANCY_BY_NUMBER[name]; }
        if (!Object.prototype.hasOwnProperty.call(OCCUPANCY, name)) { return null; }
        return { text: OCCUPANCY[name][0], tone: OCCUPANCY[name][1] };
    }

    function fmtClock(ts, timeZone) {
        if (!isNum(ts)) { return '—'; }
        var o = { hour: 'numeric', minute: '2-digit' };
        if (timeZone) { o.timeZone = timeZone; }
        return new Date(ts * 1000).toLocaleTimeString('en-CA', o);
    }

    function cap(s) {
        if (typeof s !== 'string' || !s) { return ''; }
        return s.charAt(0).toUpperCase() + s.slice(1).replace(/_/g, ' ');
    }

    /* --- grades, statuses, colours -------------------------------------- */

    var GRADE_ORDER = { A: 0, B: 1, C: 2, D: 3, E: 4, F: 5 };

    function gradeRank(g) {
        return Object.prototype.hasOwnProperty.call(GRADE_ORDER, g)
            ? GRADE_ORDER[g] : 9;
    }

    /* the tone of a grade pill; the letter is always shown as text too */
    function gradeTone(g) {
        if (g === 'A' || g === 'B') { return 'good'; }
        if (g === 'C' || g === 'D' || g === 'E') { return 'warn'; }
        if (g === 'F') { return 'bad'; }
        return 'none';
    }

    /* vehicle status label -> text and shape (the map never relies on
     * colour alone) */
    var STATUS = {
        ahead: { text: 'Early', shape: 'triangle', tone: 'early' },
        on_time: { text: 'On time', shape: 'circle', tone: 'good' },
        late: { text: 'Late', shape: 'square', tone: 'bad' }
    };
    var STATUS_UNKNOWN = { text: 'No status', shape: 'diamond', tone: 'none' };

    function vehicleStatus(v) {
        var label = v && v.status && v.status.label;
        return STATUS[label] || STATUS_UNKNOWN;
    }

    /* 6 hex digits (GTFS route_color) -> CSS colour, or a neutral default */
    function routeColor(hex) {
        return (typeof hex === 'string' && /^[0-9A-Fa-f]{6}$/.test(hex))
            ? '#' + hex.toUpperCase() : '#4B5563';
    }

    /* WCAG relative luminance of '#RRGGBB' */
    function luminance(css) {
        var n = parseInt(css.slice(1), 16);
        return [n >> 16 & 255, n >> 8 & 255, n & 255].map(function (c) {
            c /= 255;
            return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
        }).reduce(function (acc, c, i) {
            return acc + c * [0.2126, 0.7152, 0.0722][i];
        }, 0);
    }

    function contrastRatio(a, b) {
        var la = luminance(a), lb = luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    /* black or white text, whichever reads better on `bg` */
    function textOn(bg) {
        return contrastRatio(bg, '#000000') >= contrastRatio(bg, '#FFFFFF')
            ? '#000000' : '#FFFFFF';
    }

    /* on-time % -> heatmap colour (40 red .. 100 green, as the reference's
     * visualMap); null -> grey */
    var HEAT = ['#dc2626', '#f97316', '#fbbf24', '#84cc16', '#10b981'];
    function heatColor(v, lo, hi) {
        if (!isNum(v)) { return '#e5e7eb'; }
        lo = isNum(lo) ? lo : 40;
        hi = isNum(hi) ? hi : 100;
        var f = Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
        return HEAT[Math.min(HEAT.length - 1, Math.floor(f * HEAT.length))];
    }

    /* average stop delay -> bar colour (reference-api.md §5.3) */
    function delayColor(sec) {
        if (!isNum(sec)) { return '#9ca3af'; }
        if (sec <= -180) { return '#3b82f6'; }
        if (sec < -60) { return '#60a5fa'; }
        if (sec <= 60) { return '#10b981'; }
        if (sec <= 180) { return '#f59e0b'; }
        if (sec <= 300) { return '#ef4444'; }
        return '#dc2626';
    }

    /* stop names for chart axes: no leading Stop/Station/Platform, no
     * trailing direction, " at " -> " / ", at most 30 characters */
    function shortStopName(name) {
        if (typeof name !== 'string') { return ''; }
        var s = name.replace(/^\s*(stop|station|platform)\s+/i, '')
            .replace(/\s+(NB|SB|EB|WB|northbound|southbound|eastbound|westbound)\s*$/i, '')
            .replace(/\s+at\s+/gi, ' / ').trim();
        return s.length > 30 ? s.slice(0, 27).replace(/\s+$/, '') + '...' : s;
    }

    /* a prediction from the timetable alone is labelled as such */
    function predictionKind(p) {
        if (p && p.source === 'scheduled') {
            return { scheduled: true, text: 'Scheduled' };
        }
        return { scheduled: false, text: 'Live' };
    }

    /* --- routes: search and sort ---------------------------------------- */

    function routeName(r) {
        return r.short_name || r.id || '';
    }

    /* natural order: "2" < "10" < "10A" < "Blue" */
    function naturalCompare(a, b) {
        var ax = String(a).match(/(\d+|\D+)/g) || [];
        var bx = String(b).match(/(\d+|\D+)/g) || [];
        for (var i = 0; i < Math.min(ax.length, bx.length); i++) {
            var x = ax[i], y = bx[i];
            var xn = /^\d/.test(x), yn = /^\d/.test(y);
            if (xn && yn) {
                if (+x !== +y) { return +x - +y; }
            } else if (xn !== yn) {
                return xn ? -1 : 1;
            } else if (x !== y) {
                var c = x.toLowerCase().localeCompare(y.toLowerCase());
                if (c) { return c; }
            }
        }
        return ax.length - bx.length;
    }

    function filterRoutes(routes, query) {
        var q = String(query || '').trim().toLowerCase();
        if (!q) { return routes.slice(); }
        return routes.filter(function (r) {
            return [r.short_name, r.long_name, r.id].some(function (f) {
                return typeof f === 'string' && f.toLowerCase().indexOf(q) >= 0;
            });
        });
    }

    function byName(a, b) {
        return naturalCompare(routeName(a), routeName(b))
            || naturalCompare(a.id || '', b.id || '');
    }

    function numDesc(a, b) {
        var an = isNum(a), bn = isNum(b);
        if (an && bn) { return b - a; }
        return an ? -1 : (bn ? 1 : 0);
    }

    var SORTS = {
        name: byName,
        grade: function (a, b) {
            return gradeRank(a.grade) - gradeRank(b.grade) || byName(a, b);
        },
        performance: function (a, b) {
            return numDesc(a.on_time_pct, b.on_time_pct) || byName(a, b);
        },
        vehicles: function (a, b) {
            return numDesc(a.active_vehicles, b.active_vehicles) || byName(a, b);
        }
    };

    function sortRoutes(routes, key) {
        var cmp = SORTS[key] || SORTS.name;
        return routes.slice().sort(cmp);
    }

    /* --- stops: the browser's own search over the stop list ------------------
     * (used when the API's search answers 503: same shape as /api/stops) */

    /* great-circle distance in km */
    function distanceKm(lat1, lon1, lat2, lon2) {
        var r = Math.PI / 180;
        var a = Math.pow(Math.sin((lat2 - lat1) * r / 2), 2)
            + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.pow(Math.sin((lon2 - lon1) * r / 2), 2);
        return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(a)));
    }

    function stopHit(s) { return { gtfs_id: s.id, name: s.name, lat: s.lat, lon: s.lon }; }

    /* stops whose name contains the text (case-insensitive), by name */
    function searchStops(stops, text, limit) {
        var q = String(text || '').trim().toLowerCase();
        if (!q) { return []; }
        return stops.filter(function (s) {
            return typeof s.name === 'string' && s.name.toLowerCase().indexOf(q) >= 0;
        }).sort(function (a, b) { return naturalCompare(a.name, b.name); })
            .slice(0, limit || 20).map(stopHit);
    }

    /* the `limit` stops nearest to (lat, lon), with distance_km */
    function nearestStops(stops, lat, lon, limit) {
        return stops.filter(function (s) { return isNum(s.lat) && isNum(s.lon); })
            .map(function (s) {
                var hit = stopHit(s);
                hit.distance_km = Math.round(distanceKm(lat, lon, s.lat, s.lon) * 1000) / 1000;
                return hit;
            }).sort(function (a, b) { return a.distance_km - b.distance_km; })
            .slice(0, limit || 10);
    }

    /* --- map projection --------------------------------------------------- */

    /* makeProjection([[lat, lon], ...], width, height, pad) -> {project,
     * scale, bounds, world} or null: Web Mercator (as map tiles are drawn),
     * fitted to the points with pad pixels around, north up, centred.
     * world = {cx, cy, s}: the centre in world units (0..1 across the
     * world, y down) and pixels per world unit, for tilesFor(). */
    function mercX(lon) { return (lon + 180) / 360; }
    function mercY(lat) {
        var r = lat * Math.PI / 180;
        return (1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2;
    }
    function makeProjection(points, width, height, pad) {
        pad = isNum(pad) ? pad : 10;
        var ok = (points || []).filter(function (p) {
            return p && isNum(p[0]) && isNum(p[1])
                && Math.abs(p[0]) <= 85 && Math.abs(p[1]) <= 180;
        });
        if (!ok.length) { return null; }
        var minLat = Infinity, maxLat = -Infinity, minLon = Infinity, maxLon = -Infinity;
        ok.forEach(function (p) {
            minLat = Math.min(minLat, p[0]); maxLat = Math.max(maxLat, p[0]);
            minLon = Math.min(minLon, p[1]); maxLon = Math.max(maxLon, p[1]);
        });
        var x0 = mercX(minLon), x1 = mercX(maxLon), y0 = mercY(maxLat), y1 = mercY(minLat);
        var spanX = Math.max(x1 - x0, 1e-9), spanY = Math.max(y1 - y0, 1e-9);
        var scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
        var cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
        var offX = width / 2, offY = height / 2;
        return {
            scale: scale,
            bounds: { minLat: minLat, maxLat: maxLat, minLon: minLon, maxLon: maxLon },
            world: { cx: cx, cy: cy, s: scale, width: width, height: height },
            project: function (lat, lon) {
                return [offX + (mercX(lon) - cx) * scale, offY + (mercY(lat) - cy) * scale];
            }
        };
    }

    /* The map tiles ({z}/{x}/{y}, 256 px) that cover a projection's view:
     * [{url, x, y, size}] in the view's pixels, at the zoom whose tiles are
     * closest to their own size.  template must be http(s) with {z}, {x}
     * and {y}; anything else gives no tiles. */
    function tilesFor(proj, template) {
        if (!proj || typeof template !== 'string'
            || !/^https?:\/\/[^\s"'<>]+$/.test(template)
            || !/\{z\}/.test(template) || !/\{x\}/.test(template) || !/\{y\}/.test(template)) {
            return [];
        }
        var w = proj.world;
        var z = Math.max(0, Math.min(19, Math.round(Math.log(w.s / 256) / Math.LN2)));
        var n = Math.pow(2, z), size = w.s / n, out = [];
        var left = w.cx - w.width / 2 / w.s, top = w.cy - w.height / 2 / w.s;
        var tx0 = Math.floor(left * n), ty0 = Math.floor(top * n);
        var tx1 = Math.floor((left + w.width / w.s) * n), ty1 = Math.floor((top + w.height / w.s) * n);
        for (var ty = Math.max(0, ty0); ty <= Math.min(n - 1, ty1); ty++) {
            for (var tx = tx0; tx <= tx1; tx++) {
                var wx = ((tx % n) + n) % n;
                out.push({
                    url: template.replace('{z}', z).replace('{x}', wx).replace('{y}', ty),
                    x: (tx / n - left) * w.s, y: (ty / n - top) * w.s, size: size
                });
                if (out.length > 64) { return out; }     /* a sane view */
            }
        }
        return out;
    }

    /* --- the ETag polling client -------------------------------------------- */

    function ApiError(status, code, message, retryAfter) {
        this.status = status;
        this.code = code;
        this.message = message;
        this.retryAfter = retryAfter;
    }

    /* what a person reads for an API error */
    function errorText(err) {
        if (!err) { return ''; }
        var secs = isNum(err.retryIn) ? err.retryIn : err.retryAfter;
        var retry = isNum(secs) ? ' Retrying in ' + secs + ' s.' : '';
        if (err.status === 0) {
            return 'Cannot reach the API (' + (err.message || 'network error')
                + '). Retrying.';
        }
        if (err.status === 503) {
            if (err.code === 'not_published') {
                return 'Not available yet: the service has not published this data'
                    + ' (it is warming up or the data is not collected yet).' + retry;
            }
            return 'The service is temporarily unavailable ('
                + (err.message || err.code || '503') + ').' + retry;
        }
        if (err.status === 404) {
            return 'Not found: ' + (err.message || 'no such item') + '.';
        }
        if (err.status === 400) {
            return 'Bad request: ' + (err.message || err.code || '') + '.';
        }
        return 'The API answered ' + err.status + ': ' + (err.message || err.code || '')
            + '.' + retry;
    }

    /* Reads an error answer into an ApiError (never throws). */
    function readError(res) {
        var ra = parseInt(res.headers.get('Retry-After'), 10);
        ra = isNum(ra) ? ra : null;
        return res.text().then(function (text) {
            var code = 'http_' + res.status, msg = '';
            try {
                var j = JSON.parse(text);
                if (j && j.error) { code = j.error.code || code; msg = j.error.message || ''; }
            } catch (e) { msg = ''; }
            return new ApiError(res.status, code, msg, ra);
        }, function () {
            return new ApiError(res.status, 'http_' + res.status, '', ra);
        });
    }

    /* One GET with an optional known ETag.  Resolves to
     * {status: 200, data, etag} or {status: 304}; rejects with ApiError. */
    function getJson(fetchFn, url, etag) {
        var headers = { Accept: 'application/json' };
        if (etag) { headers['If-None-Match'] = etag; }
        return fetchFn(url, { headers: headers, cache: 'no-store' }).then(function (res) {
            if (res.status === 304) { return { status: 304 }; }
            if (res.status !== 200) {
                return readError(res).then(function (e) { throw e; });
            }
            return res.json().then(function (data) {
                return { status: 200, data: data, etag: res.headers.get('ETag') };
            });
        }, function (e) {
            throw new ApiError(0, 'network', e && e.message ? e.message : String(e), null);
        });
    }

    /* A document remembered across page loads (sessionStorage): its ETag
     * and body, so a refresh asks "If-None-Match" and gets a 304.  store
     * may be null; a full or refused store is only a miss. */
    function remembered(store, url) {
        try {
            var v = store && JSON.parse(store.getItem('mtw:' + url));
            return v && typeof v.etag === 'string' ? v : null;
        } catch (e) { return null; }
    }
    function remember(store, url, etag, data) {
        if (!store || !etag) { return; }
        try { store.setItem('mtw:' + url, JSON.stringify({ etag: etag, data: data })); } catch (e) { /* full */ }
    }

    /* getJson through the store: resolves to {status: 200, data} whether
     * the server sent the body or a 304 for the remembered one. */
    function getJsonRemembered(fetchFn, url, store) {
        var known = remembered(store, url);
        return getJson(fetchFn, url, known && known.etag).then(function (r) {
            if (r.status === 304) { return { status: 200, data: known.data, etag: known.etag }; }
            remember(store, url, r.etag, r.data);
            return r;
        });
    }

    /* createPoller({url, interval, fetch, setTimeout, clearTimeout,
     *               store, onData(data), onError(err), onNotModified()})
     * GETs url now and every `interval` ms, sending If-None-Match with the
     * last ETag so unchanged documents cost a 304 and no parsing.  After an
     * error it waits Retry-After (if longer) or a doubling backoff up to
     * maxBackoff.  stop() ends it; refresh() polls at once.  With a store
     * (sessionStorage) the last ETag and body outlive the page, so the
     * first request after a refresh is a 304 too. */
    function createPoller(o) {
        var st = {
            etag: null, data: null, timer: null, running: false, inflight: false,
            failures: 0, requests: 0, notModified: 0, updates: 0, errors: 0,
            url: o.url, shown: false
        };
        function recall() {
            var known = remembered(o.store, st.url);
            st.etag = known ? known.etag : null;
            st.data = known ? known.data : null;
            st.shown = false;
        }
        recall();
        var setT = o.setTimeout || setTimeout;
        var clearT = o.clearTimeout || clearTimeout;
        var interval = o.interval || 15000;
        var maxBackoff = o.maxBackoff || 60000;

        function schedule(ms) {
            if (!st.running) { return; }
            if (st.timer !== null) { clearT(st.timer); }
            st.timer = setT(tick, ms);
        }

        function tick() {
            st.timer = null;
            if (!st.running || st.inflight) { return Promise.resolve(); }
            st.inflight = true;
            st.requests++;
            return getJson(o.fetch, st.url, st.etag).then(function (r) {
                st.inflight = false;
                st.failures = 0;
                if (r.status === 304 && st.shown) {
                    st.notModified++;
                    if (o.onNotModified) { o.onNotModified(st.data); }
                } else if (r.status === 304) {
                    /* the remembered document, not yet on this page */
                    st.notModified++;
                    st.shown = true;
                    if (o.onData) { o.onData(st.data); }
                } else {
                    st.etag = r.etag || null;
                    st.data = r.data;
                    st.updates++;
                    st.shown = true;
                    remember(o.store, st.url, st.etag, st.data);
                    if (o.onData) { o.onData(r.data); }
                }
                schedule(interval);
            }, function (err) {
                st.inflight = false;
                st.failures++;
                st.errors++;
                if (!(err instanceof ApiError)) {
                    err = new ApiError(0, 'client', err && err.message, null);
                }
                var wait = null;
                if (err.status !== 404 && err.status !== 400) {
                    var backoff = Math.min(maxBackoff,
                        interval * Math.pow(2, Math.min(st.failures - 1, 6)));
                    var ra = isNum(err.retryAfter) ? err.retryAfter * 1000 : 0;
                    wait = Math.max(backoff, ra, 1000);
                }
                err.retryIn = wait === null ? null : Math.round(wait / 1000);
                if (o.onError) { o.onError(err); }
                if (wait === null) {
                    st.running = false;      /* asking again will not help */
                    return;
                }
                schedule(wait);
            });
        }

        return {
            state: st,
            start: function () {
                if (st.running) { return; }
                st.running = true;
                schedule(0);
            },
            stop: function () {
                st.running = false;
                if (st.timer !== null) { clearT(st.timer); st.timer = null; }
            },
            refresh: function () { if (st.running) { schedule(0); } },
            setUrl: function (url) {
                if (url !== st.url) { st.url = url; recall(); }
            },
            tick: tick
        };
    }

    return {
        API: API, apiUrl: apiUrl, validId: validId, validCity: validCity,
        isNum: isNum, fmtNum: fmtNum, fmtPct: fmtPct, fmtShare: fmtShare,
        fmtDuration: fmtDuration, fmtAgo: fmtAgo, fmtEta: fmtEta,
        etaMinutes: etaMinutes, fmtDelay: fmtDelay, fmtClock: fmtClock, cap: cap,
        occupancy: occupancy,
        gradeRank: gradeRank, gradeTone: gradeTone, vehicleStatus: vehicleStatus,
        routeColor: routeColor, luminance: luminance, contrastRatio: contrastRatio,
        textOn: textOn, heatColor: heatColor, delayColor: delayColor,
        shortStopName: shortStopName, predictionKind: predictionKind,
        naturalCompare: naturalCompare, distanceKm: distanceKm,
        searchStops: searchStops, nearestStops: nearestStops, filterRoutes: filterRoutes,
        sortRoutes: sortRoutes, makeProjection: makeProjection, tilesFor: tilesFor,
        ApiError: ApiError, errorText: errorText, getJson: getJson,
        getJsonRemembered: getJsonRemembered, createPoller: createPoller
    };
}));
