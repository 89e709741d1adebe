/* ui.js - what every dashboard page shares: building DOM nodes, the city
 * of the page (?city=), the navigation, error and status messages, pollers
 * that pause while the tab is hidden, and charts (Chart.js when loaded,
 * always with the numbers as a table for screen readers and no-JS-chart
 * fallbacks).  Pages are html/*.html + html/js/<page>.js. */
(function (window, document) {
    'use strict';
    var MTW = window.MTW;
    var params = new URLSearchParams(window.location.search);
    var city = params.get('city');
    if (!MTW.validCity(city)) { city = null; }

    /* h('a', {href: '#', class: 'x'}, 'text', child...) */
    function h(tag, attrs) {
        var el = document.createElement(tag);
        Object.keys(attrs || {}).forEach(function (k) {
            var v = attrs[k];
            if (v === null || v === undefined || v === false) { return; }
            if (k === 'text') { el.textContent = v; } else if (k === 'style' && typeof v === 'object') {
                Object.keys(v).forEach(function (p) { el.style.setProperty(p, v[p]); });
            } else { el.setAttribute(k, v === true ? '' : v); }
        });
        for (var i = 2; i < arguments.length; i++) { add(el, arguments[i]); }
        return el;
    }

    function add(el, c) {
        if (c === null || c === undefined || c === false) { return; }
        if (Array.isArray(c)) { c.forEach(function (x) { add(el, x); }); return; }
        el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    }

    function clear(el) { while (el.firstChild) { el.removeChild(el.firstChild); } return el; }
    function fill(el) {
        clear(el);
        for (var i = 1; i < arguments.length; i++) { add(el, arguments[i]); }
        return el;
    }
    function $(id) { return document.getElementById(id); }

    /* the API query of this page's city */
    function q(extra) {
        var o = {};
        Object.keys(extra || {}).forEach(function (k) { o[k] = extra[k]; });
        if (city) { o.city = city; }
        return o;
    }
    function api(name, ids, extra) { return MTW.apiUrl(MTW.API[name], ids, q(extra)); }

    /* a link to another page keeping ?city= */
    function page(file, extra) {
        var o = q(extra);
        var s = Object.keys(o).map(function (k) {
            return encodeURIComponent(k) + '=' + encodeURIComponent(o[k]);
        }).join('&');
        return file + (s ? '?' + s : '');
    }

    function now() { return Date.now() / 1000; }

    /* a message box: kind 'error' | 'info' | 'warn' */
    function message(el, kind, text) {
        el.hidden = !text;
        fill(el, text ? h('p', {}, text) : null);
        el.className = 'msg msg-' + kind;
        el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    }

    function showError(el, err) { message(el, 'error', MTW.errorText(err)); }

    /* the grade as a pill: the letter is the content, the colour a hint */
    function gradePill(g, title) {
        var grade = g || 'N/A';
        return h('span', { class: 'pill pill-' + MTW.gradeTone(grade),
                           title: title || 'Grade ' + grade }, grade);
    }

    function routeBadge(r) {
        var bg = MTW.routeColor(r.color || r.colour);
        return h('span', { class: 'badge', style: { background: bg, color: MTW.textOn(bg) } },
                 r.short_name || r.route_id || r.id || '?');
    }

    function statusChip(v) {
        var s = MTW.vehicleStatus(v);
        return h('span', { class: 'status status-' + s.tone },
                 h('span', { class: 'shape shape-' + s.shape, 'aria-hidden': 'true' }), s.text);
    }

    /* crowding as the feed reports it, or nothing */
    function crowdChip(name) {
        var o = MTW.occupancy(name);
        return o ? h('span', { class: 'crowd crowd-' + o.tone, title: 'Crowding (from the feed)' },
                     h('span', { 'aria-hidden': 'true' }, '👥 '), o.text) : null;
    }

    /* --- SVG maps (map.html, live.html): no tiles, a plain projection --- */
    var SVG_NS = 'http://www.w3.org/2000/svg';

    /* svg('circle', {cx: 1}, 'title') */
    function svg(tag, attrs, title) {
        var el = document.createElementNS(SVG_NS, tag);
        Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
        if (title) {
            var t = document.createElementNS(SVG_NS, 'title');
            t.textContent = title;
            el.appendChild(t);
        }
        return el;
    }

    /* a vehicle's mark: its status as shape and tone (circle on time,
     * square late, triangle early, diamond none), its crowding in the title */
    function vehicleMark(v, px, py, title) {
        var st = MTW.vehicleStatus(v), r = 7, kind = st.shape, cls = 'v-' + st.tone;
        var x = Math.round(px * 10) / 10, y = Math.round(py * 10) / 10;
        var crowd = MTW.occupancy(v.occupancy);
        title = (title || 'Vehicle ' + (v.id || v.vehicle_id)) + ': ' + st.text
            + (v.status ? ' (' + MTW.fmtDelay(v.status.deviation_sec) + ')' : '')
            + (crowd ? ' · ' + crowd.text : '');
        if (kind === 'circle') { return svg('circle', { cx: x, cy: y, r: r, class: cls }, title); }
        if (kind === 'square') { return svg('rect', { x: x - r, y: y - r, width: 2 * r, height: 2 * r, class: cls }, title); }
        if (kind === 'triangle') {
            return svg('path', { d: 'M' + x + ' ' + (y - r - 1) + 'L' + (x + r + 1) + ' ' + (y + r) + 'L' + (x - r - 1) + ' ' + (y + r) + 'Z', class: cls }, title);
        }
        return svg('path', { d: 'M' + x + ' ' + (y - r - 1) + 'L' + (x + r + 1) + ' ' + y + 'L' + x + ' ' + (y + r + 1) + 'L' + (x - r - 1) + ' ' + y + 'Z', class: cls }, title);
    }

    /* [[lat, lon], ...] as an SVG points attribute through proj */
    function svgPoints(proj, pts) {
        return pts.map(function (pt) {
            var p = proj.project(pt[0], pt[1]);
            return p[0].toFixed(1) + ',' + p[1].toFixed(1);
        }).join(' ');
    }

    /* the site's optional settings (/config.json, written by the nginx
     * image from MTW_TILE_URL): {tile_url, tile_attribution}; none: {} */
    var configP = null;
    function siteConfig() {
        if (!configP) {
            configP = getJson('/config.json').then(function (r) {
                return r.data && typeof r.data === 'object' ? r.data : {};
            }, function () { return {}; });
        }
        return configP;
    }

    /* map tiles under an SVG map when a tile URL is configured, with their
     * attribution in captionEl; nothing otherwise (no tile is needed) */
    function tileLayer(g, proj, captionEl) {
        siteConfig().then(function (c) {
            var tiles = MTW.tilesFor(proj, c.tile_url);
            clear(g);
            tiles.forEach(function (t) {
                g.appendChild(svg('image', { href: t.url, x: t.x.toFixed(1), y: t.y.toFixed(1),
                    width: (t.size + 0.5).toFixed(1), height: (t.size + 0.5).toFixed(1),
                    preserveAspectRatio: 'none' }));
            });
            if (tiles.length && captionEl && typeof c.tile_attribution === 'string') {
                captionEl.appendChild(h('small', { class: 'attribution' }, ' Map: ' + c.tile_attribution));
            }
        });
    }

    /* the tab's session storage, or null where it is refused */
    function session() {
        try { return window.sessionStorage; } catch (e) { return null; }
    }
    /* a one-off GET that a refresh revalidates (304) instead of refetching */
    function getJson(url) {
        return MTW.getJsonRemembered(window.fetch.bind(window), url, session());
    }

    /* poll(path, {interval, onData, onError, errorEl}) -> poller; paused
     * while the page is hidden, resumed (at once) when it shows again */
    var pollers = [];
    function poll(url, o) {
        var p = MTW.createPoller({
            url: url,
            interval: o.interval,
            fetch: window.fetch.bind(window),
            store: session(),
            onData: function (d) {
                if (o.errorEl) { message(o.errorEl, 'info', ''); }
                stamp(d);
                o.onData(d);
            },
            onNotModified: function (d) { stamp(d); if (o.onNotModified) { o.onNotModified(d); } },
            onError: function (e) {
                if (o.errorEl) { showError(o.errorEl, e); }
                if (o.onError) { o.onError(e); }
                if (!o.quiet) { setStatus('error', MTW.errorText(e)); }
            }
        });
        pollers.push(p);
        p.start();
        return p;
    }

    document.addEventListener('visibilitychange', function () {
        pollers.forEach(function (p) {
            if (document.hidden) { p.stop(); } else { p.start(); }
        });
    });

    /* the footer line: when the data shown was last confirmed */
    var lastOk = null;
    function stamp() { lastOk = now(); setStatus('ok'); }
    function setStatus(kind, text) {
        var el = $('updated');
        if (!el) { return; }
        if (kind === 'ok') {
            el.textContent = 'Data checked ' + MTW.fmtAgo(lastOk, now())
                + ' (updates without reloading)';
        } else {
            el.textContent = text;
        }
    }
    setInterval(function () { if (lastOk) { setStatus('ok'); } }, 5000);

    /* charts: Chart.js if it loaded, and always a data table beside */
    var charts = {};
    function chart(id, config, table) {
        var box = $(id);
        if (!box) { return; }
        var canvas = box.querySelector('canvas');
        var tbl = box.querySelector('.chart-table');
        if (table && tbl) {
            fill(tbl, h('summary', {}, 'Show the data as a table'),
                 h('div', { class: 'scroll-x' }, dataTable(table)));
        }
        if (!window.Chart || !canvas) {
            if (canvas) { canvas.hidden = true; }
            if (tbl) { tbl.open = true; }
            return;
        }
        config.options = config.options || {};
        config.options.responsive = true;
        config.options.maintainAspectRatio = false;
        config.options.animation = false;
        if (charts[id]) {
            charts[id].data = config.data;
            charts[id].options = config.options;
            charts[id].update();
        } else {
            charts[id] = new window.Chart(canvas, config);
        }
    }

    /* {caption, head: [...], rows: [[...]]} -> <table> */
    function dataTable(t) {
        return h('table', { class: 'data' },
            t.caption ? h('caption', {}, t.caption) : null,
            h('thead', {}, h('tr', {}, t.head.map(function (c) {
                return h('th', { scope: 'col' }, c);
            }))),
            h('tbody', {}, t.rows.map(function (r) {
                return h('tr', {}, r.map(function (c, i) {
                    return i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c);
                }));
            })));
    }

    /* mark the current page in the navigation and keep ?city= in links */
    function initNav() {
        var here = document.body.getAttribute('data-page');
        Array.prototype.forEach.call(document.querySelectorAll('nav.top a'), function (a) {
            if (a.getAttribute('data-page') === here) { a.setAttribute('aria-current', 'page'); }
        });
        /* static links to pages (navigation, brand, breadcrumbs) */
        if (city) {
            Array.prototype.forEach.call(document.querySelectorAll('a[href$=".html"]'), function (a) {
                a.href = page(a.getAttribute('href'));
            });
        }
        var toggle = document.querySelector('.nav-toggle');
        if (toggle) {
            toggle.addEventListener('click', function () {
                var open = toggle.getAttribute('aria-expanded') === 'true';
                toggle.setAttribute('aria-expanded', open ? 'false' : 'true');
            });
        }
        if (city) {
            var c = $('city-name');
            if (c) { c.textContent = city; }
        }
    }

    /* compact weather line for page headers; absent data is said so */
    var WEATHER_ICON = { clear: '☀️', cloudy: '☁️', rain: '🌧️', snow: '❄️',
        showers: '🌦️', thunderstorm: '⛈️', fog: '🌫️' };
    var IMPACT = { none: 'No impact', minor: 'Minor impact',
        moderate: 'Moderate impact', severe: 'Severe impact' };
    function weatherBanner(el) {
        if (!el) { return; }
        poll(api('weatherCurrent'), {
            interval: 300000, quiet: true,
            onData: function (w) {
                var c = w.current || w;
                fill(el,
                    h('span', { 'aria-hidden': 'true' }, WEATHER_ICON[c.weather_condition] || '🌡️'), ' ',
                    h('strong', {}, MTW.cap(c.weather_condition || 'unknown')), ' ',
                    MTW.isNum(c.temperature_celsius) ? MTW.fmtNum(c.temperature_celsius, 1) + ' °C ' : '',
                    MTW.isNum(c.feels_like_celsius) ? '(feels like ' + MTW.fmtNum(c.feels_like_celsius, 1) + ' °C) ' : '',
                    h('span', { class: 'impact impact-' + (c.transit_impact || 'none') },
                      'Transit: ' + (IMPACT[c.transit_impact] || 'impact unknown')));
                el.className = 'weather';
            },
            onError: function (e) {
                el.className = 'weather weather-none';
                fill(el, e.status === 503 ? 'Weather data not available yet.'
                                          : 'Weather data unavailable.');
            }
        });
    }

    /* service alerts in force (the feed's plain text, inserted as text;
     * a link only to http(s)): filter {route_id} or {stop_id}; hidden when
     * there are none.  Returns the poller (setUrl for another filter). */
    function words(code) {
        return code ? MTW.cap(String(code).toLowerCase().replace(/_/g, ' ')) : '';
    }
    function alertsUrl(filter) { return api('alerts', null, filter || {}); }
    function alertsBox(el, filter) {
        if (!el) { return null; }
        return poll(alertsUrl(filter), {
            interval: 60000, quiet: true,
            onData: function (d) {
                var list = d.alerts || [];
                el.hidden = list.length === 0;
                fill(el, list.length ? [
                    h('h2', { class: 'alerts-title' }, 'Service alerts (' + list.length + ')'),
                    h('ul', { class: 'alerts-list' }, list.map(function (a) {
                        var end = a.active_period && a.active_period.end;
                        var link = typeof a.url === 'string' && /^https?:\/\//i.test(a.url);
                        return h('li', { class: 'alert alert-' + String(a.severity || 'unknown').toLowerCase() },
                            h('strong', {}, a.header || words(a.effect) || 'Service alert'),
                            a.effect ? h('span', { class: 'alert-effect' }, ' · ' + words(a.effect)) : null,
                            a.description ? h('p', {}, a.description) : null,
                            h('small', {}, end ? 'Until ' + MTW.fmtClock(end) : 'Until further notice',
                              a.routes && a.routes.length ? ' · routes ' + a.routes.join(', ') : '',
                              link ? [' · ', h('a', { href: a.url, rel: 'noopener noreferrer' }, 'details')] : null));
                    }))
                ] : null);
            },
            onError: function () { el.hidden = true; }
        });
    }

    window.UI = {
        h: h, fill: fill, clear: clear, $: $, api: api, page: page, now: now,
        city: city, params: params, message: message, showError: showError,
        gradePill: gradePill, routeBadge: routeBadge, statusChip: statusChip, crowdChip: crowdChip,
        poll: poll, chart: chart, dataTable: dataTable, weatherBanner: weatherBanner,
        alertsBox: alertsBox, alertsUrl: alertsUrl, getJson: getJson,
        svg: svg, vehicleMark: vehicleMark, svgPoints: svgPoints, tileLayer: tileLayer,
        IMPACT: IMPACT, WEATHER_ICON: WEATHER_ICON
    };
    initNav();
}(window, document));
