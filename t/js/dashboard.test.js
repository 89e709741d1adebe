// dashboard.test.js - unit tests of the dashboard's pure logic
// (html/js/lib.js) with node's built-in runner: `node --test t/js/`
// (scripts/check-dashboard.sh).  No packages beyond node itself.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const MTW = require('../../html/js/lib.js');

const ROOT = path.join(__dirname, '..', '..');

test('every API path of the dashboard is in docs/openapi.json', () => {
    const spec = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/openapi.json'), 'utf8'));
    for (const [name, p] of Object.entries(MTW.API)) {
        assert.ok(spec.paths[p], `${name}: ${p} not in openapi.json`);
        assert.ok(spec.paths[p].get, `${name}: ${p} has no GET`);
    }
});

test('apiUrl fills ids, encodes the query, refuses ids the API refuses', () => {
    assert.equal(MTW.apiUrl(MTW.API.routeLive, { routeId: '14514' }, {}),
                 '/api/dashboard/routes/14514/live');
    assert.equal(MTW.apiUrl(MTW.API.stopSearch, null, { name: 'a b&c', limit: 5, lat: null, city: '' }),
                 '/api/stops?name=a%20b%26c&limit=5');
    assert.equal(MTW.apiUrl(MTW.API.route, { routeId: 'a.b~c:-_' }), '/api/dashboard/routes/a.b~c:-_');
    assert.throws(() => MTW.apiUrl(MTW.API.route, { routeId: '../x' }), /invalid routeId/);
    assert.throws(() => MTW.apiUrl(MTW.API.route, { routeId: 'x'.repeat(65) }), /invalid/);
    assert.throws(() => MTW.apiUrl(MTW.API.route, {}), /invalid/);
    assert.equal(MTW.validCity('saskatoon'), true);
    assert.equal(MTW.validCity('Saskatoon'), false);
    assert.equal(MTW.validCity(null), false);
});

test('numbers, percentages, durations', () => {
    assert.equal(MTW.fmtPct(83.44), '83.4%');
    assert.equal(MTW.fmtPct(null), '—');
    assert.equal(MTW.fmtPct(NaN), '—');
    assert.equal(MTW.fmtShare(0.125), '13%');
    assert.equal(MTW.fmtDuration(45), '45 s');
    assert.equal(MTW.fmtDuration(59.6), '1 min');
    assert.equal(MTW.fmtDuration(540), '9 min');
    assert.equal(MTW.fmtDuration(3900), '1 h 05 min');
    assert.equal(MTW.fmtDuration(-120), '−2 min');
    assert.equal(MTW.fmtDuration(null), '—');
});

test('ago, ETA chips and delays', () => {
    assert.equal(MTW.fmtAgo(1000, 1003), 'just now');
    assert.equal(MTW.fmtAgo(1000, 1030), '30 s ago');
    assert.equal(MTW.fmtAgo(1000, 1000 + 125), '2 min ago');
    assert.equal(MTW.fmtAgo(1000, 1000 + 3 * 3600 + 600), '3 h 10 min ago');
    assert.equal(MTW.fmtAgo(null, 5), 'never');
    // reference-api.md §5.4: At stop / Arriving now / <1 min / N min
    assert.equal(MTW.fmtEta(99, 100), 'At stop');
    assert.equal(MTW.fmtEta(130, 100), 'Arriving now');
    assert.equal(MTW.fmtEta(131, 100), '<1 min');
    assert.equal(MTW.fmtEta(189, 100), '<1 min');
    assert.equal(MTW.fmtEta(191, 100), '2 min');
    assert.equal(MTW.fmtEta(100 + 600, 100), '10 min');
    assert.equal(MTW.etaMinutes(100 + 600, 100), 10);
    assert.equal(MTW.etaMinutes(50, 100), 0);
    assert.equal(MTW.fmtDelay(29), 'On time');
    assert.equal(MTW.fmtDelay(-29), 'On time');
    assert.equal(MTW.fmtDelay(-180), '3 min early');
    assert.equal(MTW.fmtDelay(240), '+4 min late');
    assert.equal(MTW.fmtDelay(undefined), '—');
    assert.match(MTW.fmtClock(0, 'UTC'), /^12:00/);
    assert.match(MTW.fmtClock(3600 * 13 + 5 * 60, 'UTC'), /^1:05/);
});

test('occupancy: the feed\'s crowding in words, nothing when it says nothing', () => {
    assert.deepEqual(MTW.occupancy('FEW_SEATS_AVAILABLE'), { text: 'Few seats', tone: 'warn' });
    assert.deepEqual(MTW.occupancy('FULL'), { text: 'Full', tone: 'bad' });
    assert.equal(MTW.occupancy('NO_DATA_AVAILABLE'), null);
    assert.equal(MTW.occupancy(null), null);
    assert.equal(MTW.occupancy('toString'), null);
});

test('grades: order and tone, status text and shape', () => {
    assert.deepEqual(['N/A', 'C', 'A', 'F', 'B', 'D'].sort((a, b) => MTW.gradeRank(a) - MTW.gradeRank(b)),
                     ['A', 'B', 'C', 'D', 'F', 'N/A']);
    assert.equal(MTW.gradeTone('A'), 'good');
    assert.equal(MTW.gradeTone('D'), 'warn');
    assert.equal(MTW.gradeTone('F'), 'bad');
    assert.equal(MTW.gradeTone('N/A'), 'none');
    assert.deepEqual(MTW.vehicleStatus({ status: { label: 'late' } }),
                     { text: 'Late', shape: 'square', tone: 'bad' });
    assert.equal(MTW.vehicleStatus({ status: { label: 'ahead' } }).shape, 'triangle');
    assert.equal(MTW.vehicleStatus({}).text, 'No status');
    // every status differs in shape, not only in colour
    const shapes = ['ahead', 'on_time', 'late', 'x'].map((l) => MTW.vehicleStatus({ status: { label: l } }).shape);
    assert.equal(new Set(shapes).size, 4);
});

test('colours: route colours, readable text, heat and delay scales', () => {
    assert.equal(MTW.routeColor('ff8000'), '#FF8000');
    assert.equal(MTW.routeColor('#ff8000'), '#4B5563');
    assert.equal(MTW.routeColor(null), '#4B5563');
    assert.equal(MTW.textOn('#FFFF00'), '#000000');
    assert.equal(MTW.textOn('#1D4ED8'), '#FFFFFF');
    assert.ok(MTW.contrastRatio('#000000', '#FFFFFF') > 20.9);
    // the text colour chosen always reaches WCAG AA for large text (3:1)
    for (const c of ['#FF8000', '#4B5563', '#10B981', '#DC2626', '#FBBF24', '#E5E7EB', '#84CC16']) {
        assert.ok(MTW.contrastRatio(c, MTW.textOn(c)) >= 4.5 || MTW.contrastRatio(c, MTW.textOn(c)) >= 3, c);
    }
    assert.equal(MTW.heatColor(40), '#dc2626');
    assert.equal(MTW.heatColor(10), '#dc2626');
    assert.equal(MTW.heatColor(100), '#10b981');
    assert.equal(MTW.heatColor(85), '#84cc16');
    assert.equal(MTW.heatColor(null), '#e5e7eb');
    assert.equal(MTW.delayColor(-180), '#3b82f6');
    assert.equal(MTW.delayColor(-61), '#60a5fa');
    assert.equal(MTW.delayColor(60), '#10b981');
    assert.equal(MTW.delayColor(180), '#f59e0b');
    assert.equal(MTW.delayColor(300), '#ef4444');
    assert.equal(MTW.delayColor(301), '#dc2626');
});

test('stop names shortened for chart axes', () => {
    assert.equal(MTW.shortStopName('Stop Primrose at Lenore NB'), 'Primrose / Lenore');
    assert.equal(MTW.shortStopName('Station 8th Street Eastbound'), '8th Street');
    assert.equal(MTW.shortStopName('A very long stop name that goes on and on'), 'A very long stop name that...');
    assert.equal(MTW.shortStopName(null), '');
});

test('scheduled predictions are labelled scheduled', () => {
    assert.deepEqual(MTW.predictionKind({ source: 'scheduled', confidence: 'low' }),
                     { scheduled: true, text: 'Scheduled' });
    assert.equal(MTW.predictionKind({ source: 'realtime' }).scheduled, false);
    assert.equal(MTW.predictionKind({ source: 'progress' }).scheduled, false);
});

const ROUTES = [
    { id: 'r10', short_name: '10', long_name: 'University', grade: 'B', on_time_pct: 81, active_vehicles: 2 },
    { id: 'r2', short_name: '2', long_name: 'Meadowgreen', grade: 'A', on_time_pct: 92, active_vehicles: 0 },
    { id: 'r10a', short_name: '10A', long_name: 'University Express', grade: 'N/A', on_time_pct: null, active_vehicles: 1 },
    { id: 'rb', short_name: 'Blue', long_name: 'BRT Blue', grade: 'A', on_time_pct: 95, active_vehicles: 5 },
    { id: 'r9', short_name: '9', long_name: 'Riversdale', grade: 'F', on_time_pct: 40, active_vehicles: 1 }
];
const ids = (l) => l.map((r) => r.id);

test('route search: case-insensitive over number, name and id', () => {
    assert.deepEqual(ids(MTW.filterRoutes(ROUTES, 'univ')), ['r10', 'r10a']);
    assert.deepEqual(ids(MTW.filterRoutes(ROUTES, ' BLUE ')), ['rb']);
    assert.deepEqual(ids(MTW.filterRoutes(ROUTES, '10')), ['r10', 'r10a']);
    assert.equal(MTW.filterRoutes(ROUTES, '').length, 5);
    assert.equal(MTW.filterRoutes(ROUTES, 'zzz').length, 0);
    assert.equal(MTW.filterRoutes([{ id: 'x', short_name: null, long_name: null }], 'x').length, 1);
});

test('route sorts: number, grade, performance, vehicles; input untouched', () => {
    const before = ids(ROUTES);
    assert.deepEqual(ids(MTW.sortRoutes(ROUTES, 'name')), ['r2', 'r9', 'r10', 'r10a', 'rb']);
    assert.deepEqual(ids(MTW.sortRoutes(ROUTES, 'grade')), ['r2', 'rb', 'r10', 'r9', 'r10a']);
    assert.deepEqual(ids(MTW.sortRoutes(ROUTES, 'performance')), ['rb', 'r2', 'r10', 'r9', 'r10a']);
    assert.deepEqual(ids(MTW.sortRoutes(ROUTES, 'vehicles')), ['rb', 'r10', 'r9', 'r10a', 'r2']);
    assert.deepEqual(ids(MTW.sortRoutes(ROUTES, 'bogus')), ids(MTW.sortRoutes(ROUTES, 'name')));
    assert.deepEqual(ids(ROUTES), before);
    assert.ok(MTW.naturalCompare('2', '10') < 0);
    assert.ok(MTW.naturalCompare('10', '10A') < 0);
    assert.ok(MTW.naturalCompare('10A', 'Blue') < 0);
    assert.equal(MTW.naturalCompare('x1', 'x1'), 0);
});

test('projection: fits, keeps the aspect, north up, east right', () => {
    const pts = [[52.10, -106.70], [52.20, -106.50], [52.15, -106.60]];
    const p = MTW.makeProjection(pts, 800, 560, 16);
    for (const [lat, lon] of pts) {
        const [x, y] = p.project(lat, lon);
        assert.ok(x >= 16 - 1e-9 && x <= 784 + 1e-9, `x ${x}`);
        assert.ok(y >= 16 - 1e-9 && y <= 544 + 1e-9, `y ${y}`);
    }
    const [x0, y0] = p.project(52.10, -106.70);
    const [x1, y1] = p.project(52.20, -106.50);
    assert.ok(x1 > x0, 'east is right');
    assert.ok(y1 < y0, 'north is up');
    // Web Mercator, as tiles are: a degree of longitude is cos(lat) of a
    // degree of latitude, locally
    const k = Math.cos(52.15 * Math.PI / 180);
    const dx = (x1 - x0) / 0.2, dy = (y0 - y1) / 0.1;
    assert.ok(Math.abs(dx / dy - k) < 1e-3, `ratio ${dx / dy} vs ${k}`);
    // the limiting axis spans the drawable width or height exactly
    assert.ok(Math.abs((x1 - x0) - 768) < 1e-6 || Math.abs((y0 - y1) - 528) < 1e-6);
    // centred
    assert.ok(Math.abs((x0 + x1) / 2 - 400) < 1e-6 && Math.abs((y0 + y1) / 2 - 280) < 1e-6);
    // one point: the centre; junk ignored; nothing: null
    const one = MTW.makeProjection([[52, -106], [null, 3], [95, 0]], 100, 100, 0);
    assert.deepEqual(one.project(52, -106), [50, 50]);
    assert.equal(MTW.makeProjection([], 100, 100), null);
});

test('tiles: the view covered at the zoom nearest their size, only http(s) templates', () => {
    const p = MTW.makeProjection([[52.10, -106.70], [52.20, -106.50]], 800, 560, 16);
    const t = MTW.tilesFor(p, 'https://tiles.example/{z}/{x}/{y}.png');
    assert.ok(t.length >= 4 && t.length <= 64, `${t.length} tiles`);
    const z = Number(t[0].url.split('/')[3]);
    assert.ok(t[0].size >= 256 / Math.SQRT2 && t[0].size <= 256 * Math.SQRT2, `tile size ${t[0].size} at z${z}`);
    // they cover the whole view
    const minX = Math.min(...t.map((a) => a.x)), minY = Math.min(...t.map((a) => a.y));
    const maxX = Math.max(...t.map((a) => a.x + a.size)), maxY = Math.max(...t.map((a) => a.y + a.size));
    assert.ok(minX <= 0 && minY <= 0 && maxX >= 800 && maxY >= 560);
    // a tile drawn where the projection puts its corner
    const n = 2 ** z, [, , tx, ty] = t[0].url.match(/\/(\d+)\/(\d+)\/(\d+)\.png$/).map(Number);
    const lon = tx / n * 360 - 180;
    const lat = Math.atan(Math.sinh(Math.PI * (1 - 2 * ty / n))) * 180 / Math.PI;
    const [px, py] = p.project(lat, lon);
    assert.ok(Math.abs(px - t[0].x) < 1e-6 && Math.abs(py - t[0].y) < 1e-6);
    for (const bad of ['javascript:alert(1)/{z}/{x}/{y}', 'https://t.example/{z}/{x}.png', '', null]) {
        assert.deepEqual(MTW.tilesFor(p, bad), [], String(bad));
    }
});

test('error texts say what happened', () => {
    const e503 = new MTW.ApiError(503, 'not_published', 'weather not published yet', 5);
    assert.match(MTW.errorText(e503), /Not available yet.*Retrying in 5 s/);
    assert.match(MTW.errorText(new MTW.ApiError(503, 'redis_unavailable', 'redis down', 1)),
                 /temporarily unavailable \(redis down\)/);
    assert.match(MTW.errorText(new MTW.ApiError(404, 'not_found', 'no route 99', null)), /^Not found: no route 99/);
    assert.match(MTW.errorText(new MTW.ApiError(0, 'network', 'Failed to fetch', null)), /Cannot reach the API/);
    assert.equal(MTW.errorText(null), '');
});

// --- the polling client, against a scripted fetch and a manual clock ------

function headers(h) {
    const m = new Map(Object.entries(h || {}).map(([k, v]) => [k.toLowerCase(), v]));
    return { get: (k) => (m.has(k.toLowerCase()) ? m.get(k.toLowerCase()) : null) };
}
function reply(status, body, h) {
    return { status, headers: headers(h),
             json: async () => JSON.parse(body), text: async () => body };
}
function harness(script) {
    const calls = [];
    const timers = [];
    const fetch = async (url, init) => {
        calls.push({ url, init });
        const next = script.shift();
        if (!next) { throw new Error('no more replies'); }
        if (next instanceof Error) { throw next; }
        return next;
    };
    return {
        calls, timers, fetch,
        setTimeout: (fn, ms) => { timers.push({ fn, ms }); return timers.length; },
        clearTimeout: () => {},
        // runs the last scheduled timer and waits for its request to finish
        async step() { const t = timers[timers.length - 1]; await t.fn(); return t.ms; }
    };
}

test('poller: ETag round trip, 304 keeps the data, no parsing', async () => {
    const hs = harness([
        reply(200, '{"n":1}', { ETag: '"aaaa"' }),
        reply(304, '', {}),
        reply(200, '{"n":2}', { ETag: 'W/"bbbb"' }),
        reply(304, '', {})
    ]);
    const seen = [];
    let nm = 0;
    const p = MTW.createPoller({ url: '/api/score', interval: 5000, fetch: hs.fetch,
        setTimeout: hs.setTimeout, clearTimeout: hs.clearTimeout,
        onData: (d) => seen.push(d.n), onNotModified: () => nm++ });
    p.start();
    assert.equal(hs.timers[0].ms, 0, 'first request at once');
    await hs.step();
    assert.equal(hs.calls[0].init.headers['If-None-Match'], undefined);
    assert.equal(hs.calls[0].init.cache, 'no-store');
    assert.equal(await hs.step(), 5000);
    assert.equal(hs.calls[1].init.headers['If-None-Match'], '"aaaa"');
    await hs.step();
    assert.equal(hs.calls[2].init.headers['If-None-Match'], '"aaaa"');
    await hs.step();
    assert.equal(hs.calls[3].init.headers['If-None-Match'], 'W/"bbbb"', 'weak tags (gzip) are sent back as given');
    assert.deepEqual(seen, [1, 2]);
    assert.equal(nm, 2);
    assert.equal(p.state.notModified, 2);
    assert.equal(p.state.requests, 4);
    p.stop();
});

test('poller with a store: a refresh asks If-None-Match and shows the remembered body on 304', async () => {
    const mem = new Map();
    const store = { getItem: (k) => (mem.has(k) ? mem.get(k) : null), setItem: (k, v) => mem.set(k, v) };
    // the first page load: a 200, remembered
    let hs = harness([reply(200, '{"n":1}', { ETag: '"aaaa"' })]);
    let seen = [];
    let p = MTW.createPoller({ url: '/api/score', interval: 5000, fetch: hs.fetch, store,
        setTimeout: hs.setTimeout, clearTimeout: hs.clearTimeout, onData: (d) => seen.push(d.n) });
    p.start();
    await hs.step();
    p.stop();
    assert.deepEqual(JSON.parse(mem.get('mtw:/api/score')), { etag: '"aaaa"', data: { n: 1 } });
    // the refresh: a new poller, the same store
    hs = harness([reply(304, '', {}), reply(304, '', {})]);
    seen = [];
    let nm = 0;
    p = MTW.createPoller({ url: '/api/score', interval: 5000, fetch: hs.fetch, store,
        setTimeout: hs.setTimeout, clearTimeout: hs.clearTimeout,
        onData: (d) => seen.push(d.n), onNotModified: () => nm++ });
    p.start();
    await hs.step();
    assert.equal(hs.calls[0].init.headers['If-None-Match'], '"aaaa"', 'the first request is conditional');
    assert.deepEqual(seen, [1], 'the 304 shows the remembered body');
    await hs.step();
    assert.deepEqual(seen, [1], 'later 304s change nothing');
    assert.equal(nm, 1);
    p.stop();
    // a store that refuses (private mode, full) is only a miss
    const bad = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('full'); } };
    hs = harness([reply(200, '{"n":3}', { ETag: '"cc"' })]);
    seen = [];
    p = MTW.createPoller({ url: '/api/score', interval: 5000, fetch: hs.fetch, store: bad,
        setTimeout: hs.setTimeout, clearTimeout: hs.clearTimeout, onData: (d) => seen.push(d.n) });
    p.start();
    await hs.step();
    assert.equal(hs.calls[0].init.headers['If-None-Match'], undefined);
    assert.deepEqual(seen, [3]);
    p.stop();
});

test('getJsonRemembered: 200 remembered, then 304 answered from the store', async () => {
    const mem = new Map();
    const store = { getItem: (k) => (mem.has(k) ? mem.get(k) : null), setItem: (k, v) => mem.set(k, v) };
    let hs = harness([reply(200, '{"stops":[1]}', { ETag: '"s1"' }), reply(304, '', {})]);
    let r = await MTW.getJsonRemembered(hs.fetch, '/api/v1/stops', store);
    assert.deepEqual(r.data, { stops: [1] });
    r = await MTW.getJsonRemembered(hs.fetch, '/api/v1/stops', store);
    assert.equal(hs.calls[1].init.headers['If-None-Match'], '"s1"');
    assert.equal(r.status, 200);
    assert.deepEqual(r.data, { stops: [1] });
});

test('poller: 503 waits Retry-After or a doubling backoff, then recovers', async () => {
    const body = '{"error":{"code":"not_published","message":"no data yet"}}';
    const hs = harness([
        reply(503, body, { 'Retry-After': '30' }),
        reply(503, body, {}),
        new TypeError('Failed to fetch'),
        reply(200, '{"ok":true}', { ETag: '"cc"' })
    ]);
    const errors = [];
    let data = null;
    const p = MTW.createPoller({ url: '/api/dashboard/weather', interval: 5000, maxBackoff: 60000,
        fetch: hs.fetch, setTimeout: hs.setTimeout, clearTimeout: hs.clearTimeout,
        onData: (d) => { data = d; }, onError: (e) => errors.push(e) });
    p.start();
    await hs.step();
    assert.equal(errors[0].status, 503);
    assert.equal(errors[0].code, 'not_published');
    assert.equal(errors[0].message, 'no data yet');
    assert.equal(errors[0].retryAfter, 30);
    assert.equal(hs.timers[hs.timers.length - 1].ms, 30000, 'Retry-After is honoured');
    assert.equal(errors[0].retryIn, 30, 'the error says the real wait');
    assert.match(MTW.errorText(errors[0]), /Retrying in 30 s/);
    await hs.step();
    assert.equal(hs.timers[hs.timers.length - 1].ms, 10000, 'second failure: 2 × interval');
    assert.equal(errors[1].retryIn, 10);
    await hs.step();
    assert.equal(errors[2].status, 0);
    assert.equal(errors[2].code, 'network');
    assert.equal(hs.timers[hs.timers.length - 1].ms, 20000, 'third failure: 4 × interval');
    await hs.step();
    assert.deepEqual(data, { ok: true });
    assert.equal(hs.timers[hs.timers.length - 1].ms, 5000, 'back to the interval');
    assert.equal(p.state.failures, 0);
    p.stop();
});

test('poller: 404 stops polling; a body that is not JSON still gives an error', async () => {
    const hs = harness([reply(404, '<html>nope</html>', {})]);
    let err = null;
    const p = MTW.createPoller({ url: '/api/dashboard/routes/x', interval: 5000, fetch: hs.fetch,
        setTimeout: hs.setTimeout, clearTimeout: hs.clearTimeout, onError: (e) => { err = e; } });
    p.start();
    await hs.step();
    assert.equal(err.status, 404);
    assert.equal(err.code, 'http_404');
    assert.equal(hs.timers.length, 1, 'nothing scheduled after a 404');
    assert.equal(err.retryIn, null);
    assert.doesNotMatch(MTW.errorText(err), /Retrying/);
    assert.equal(p.state.running, false);
});

test('poller: setUrl forgets the old ETag; stop cancels', async () => {
    const hs = harness([reply(200, '{"a":1}', { ETag: '"e1"' }), reply(200, '{"a":2}', { ETag: '"e2"' })]);
    const p = MTW.createPoller({ url: '/api/stops/1/predictions', interval: 1000, fetch: hs.fetch,
        setTimeout: hs.setTimeout, clearTimeout: hs.clearTimeout, onData: () => {} });
    p.start();
    await hs.step();
    p.setUrl('/api/stops/2/predictions');
    await hs.step();
    assert.equal(hs.calls[1].url, '/api/stops/2/predictions');
    assert.equal(hs.calls[1].init.headers['If-None-Match'], undefined);
    p.stop();
    await hs.timers[hs.timers.length - 1].fn();
    assert.equal(hs.calls.length, 2, 'a stopped poller does not fetch');
});

test('stop search in the browser: by name, by distance', () => {
    const stops = [
        { id: 's1', name: 'Primrose / Lenore', lat: 52.1234, lon: -106.5678 },
        { id: 's2', name: 'Evergreen / Wyant', lat: 52.168249, lon: -106.575778 },
        { id: 's3', name: 'Primrose / Adilman', lat: 52.14, lon: -106.58 },
        { id: 's4', name: 'Nowhere', lat: null, lon: null }
    ];
    assert.deepEqual(MTW.searchStops(stops, 'PRIMROSE', 20).map((s) => s.gtfs_id), ['s3', 's1']);
    assert.deepEqual(MTW.searchStops(stops, 'primrose', 1).map((s) => s.gtfs_id), ['s3']);
    assert.deepEqual(MTW.searchStops(stops, '  ', 20), []);
    assert.deepEqual(Object.keys(MTW.searchStops(stops, 'wyant')[0]).sort(), ['gtfs_id', 'lat', 'lon', 'name']);
    const near = MTW.nearestStops(stops, 52.1234, -106.5678, 2);
    assert.deepEqual(near.map((s) => s.gtfs_id), ['s1', 's3']);
    assert.equal(near[0].distance_km, 0);
    // 0.1° of latitude is about 11.1 km
    assert.ok(Math.abs(MTW.distanceKm(52, -106, 52.1, -106) - 11.12) < 0.01);
});
