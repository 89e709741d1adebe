/* weather.js - weather impact (weather.html): current conditions, clear vs
 * snow per route, performance by temperature, the route × condition matrix
 * and bunching by condition.  Reads /api/dashboard/weather every 10 min;
 * until the worker has weather documents the API answers 503 and the page
 * says the analysis is not available yet.  The narratives are plain text
 * and are shown as text. */
(function (MTW, UI) {
    'use strict';
    var h = UI.h, $ = UI.$;
    var IMPACT_TEXT = { none: 'Normal operations expected', minor: 'Slight delays possible',
        moderate: 'Expect 5-10 minute delays', severe: 'Major delays expected, plan extra time' };

    /* a reading of the numbers (plain text from the worker, or from the
     * OpenAI-compatible path): paragraphs, always inserted as text */
    function story(el, text) {
        var ps = String(text || '').split(/\n\s*\n/).filter(function (t) { return t.trim(); });
        UI.fill(el, ps.map(function (t) { return h('p', {}, t); }));
    }

    function renderCurrent(c) {
        if (!c) { UI.fill($('current'), h('p', {}, 'No current observation.')); return; }
        var rows = [
            ['Condition', (UI.WEATHER_ICON[c.weather_condition] || '🌡️') + ' ' + MTW.cap(c.weather_condition)],
            ['Temperature', MTW.fmtNum(c.temperature_celsius, 1) + ' °C'],
            ['Feels like', MTW.fmtNum(c.feels_like_celsius, 1) + ' °C'],
            ['Transit impact', (UI.IMPACT[c.transit_impact] || 'Unknown') + ': ' + (IMPACT_TEXT[c.transit_impact] || '')],
            ['Wind', MTW.fmtNum(c.wind_speed_kmh, 0) + ' km/h'],
            ['Visibility', MTW.fmtNum(c.visibility_km, 0) + ' km']
        ];
        if (c.precipitation_mm > 0) { rows.push(['Precipitation', MTW.fmtNum(c.precipitation_mm, 1) + ' mm']); }
        if (c.snowfall_cm > 0) { rows.push(['Snowfall', MTW.fmtNum(c.snowfall_cm, 1) + ' cm']); }
        if (c.snow_depth_cm > 0) { rows.push(['Snow depth', MTW.fmtNum(c.snow_depth_cm, 0) + ' cm']); }
        rows.push(['Observed', MTW.fmtAgo(c.observed_at, UI.now())]);
        UI.fill($('current'), h('dl', { class: 'cards' }, rows.map(function (r) {
            return h('div', { class: 'card' }, h('dt', {}, r[0]), h('dd', { style: { 'font-size': '1.1rem' } }, r[1]));
        })));
    }

    function section(key, ok) {
        $(key + '-empty').hidden = !!ok;
        var c = $(key + '-chart');
        if (c) { c.hidden = !ok; }
        return ok;
    }

    function render(d) {
        $('content').hidden = false;
        renderCurrent(d.current);

        var wo = d.winter_operations || {};
        if (section('winter', wo.routes && wo.routes.length)) {
            UI.chart('winter-chart', {
                type: 'bar',
                data: { labels: wo.routes.map(function (r) { return 'Route ' + r.short_name; }),
                        datasets: [{ label: 'Clear weather', data: wo.routes.map(function (r) { return r.clear_pct; }), backgroundColor: '#f59e0b' },
                                   { label: 'Snow', data: wo.routes.map(function (r) { return r.snow_pct; }), backgroundColor: '#6366f1' }] },
                options: { scales: { y: { min: 0, max: 100 } } }
            }, { caption: 'Clear vs snow', head: ['Route', 'Clear', 'Snow', 'Drop'],
                 rows: wo.routes.map(function (r) { return ['Route ' + r.short_name, MTW.fmtPct(r.clear_pct), MTW.fmtPct(r.snow_pct), MTW.fmtNum(r.drop, 1) + ' pts']; }) });
        }
        story($('winter-story'), wo.narrative);

        var tt = d.temperature_threshold || {};
        if (section('temp', tt.buckets && tt.buckets.length)) {
            UI.chart('temp-chart', {
                type: 'scatter',
                data: { datasets: [{ label: 'On time (%)', backgroundColor: '#1d4ed8',
                        data: tt.buckets.map(function (b) { return { x: b.bucket, y: b.avg_pct }; }),
                        pointRadius: tt.buckets.map(function (b) { return Math.min(5 + b.count / 2, 30) / 2; }) }] },
                options: { scales: { x: { min: -35, max: 35, title: { display: true, text: '°C' } },
                                     y: { min: 40, max: 100, title: { display: true, text: 'On time (%)' } } } }
            }, { caption: 'On time by temperature', head: ['Temperature', 'On time', 'Days'],
                 rows: tt.buckets.map(function (b) { return [b.bucket + ' to ' + (b.bucket + 5) + ' °C', MTW.fmtPct(b.avg_pct), String(b.count)]; }) });
        }
        story($('temp-story'), tt.narrative);

        var im = d.impact_matrix || {};
        var table = $('matrix');
        if (section('matrix', im.cells && im.cells.length)) {
            var conds = im.conditions || [];
            var routes = [], val = {};
            im.cells.forEach(function (c) {
                if (routes.indexOf(c.route_short_name) < 0) { routes.push(c.route_short_name); }
                val[c.route_short_name + '|' + c.condition] = c.avg_pct;
            });
            routes.sort(MTW.naturalCompare);
            UI.fill(table, h('caption', { class: 'sr-only' }, 'On-time percentage per route and weather condition'),
                h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Route'), conds.map(function (c) { return h('th', { scope: 'col' }, MTW.cap(c)); }))),
                h('tbody', {}, routes.map(function (r) {
                    return h('tr', {}, h('th', { scope: 'row' }, 'Route ' + r), conds.map(function (c) {
                        var v = val[r + '|' + c];
                        var bg = MTW.heatColor(v);
                        return h('td', { style: { background: bg, color: MTW.textOn(bg) } }, MTW.isNum(v) ? MTW.fmtNum(v, 0) : '–');
                    }));
                })));
            table.hidden = false;
        } else {
            table.hidden = true;
        }
        story($('matrix-story'), im.narrative);

        var bu = d.bunching || {};
        if (section('bunch', bu.has_data && bu.rates && bu.rates.length)) {
            UI.chart('bunch-chart', {
                type: 'bar',
                data: { labels: bu.rates.map(function (r) { return MTW.cap(r.condition); }),
                        datasets: [{ label: 'Incidents per hour', data: bu.rates.map(function (r) { return r.per_hour; }), backgroundColor: '#ef4444' }] },
                options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
            }, { caption: 'Bunching by weather', head: ['Condition', 'Incidents', 'Hours observed', 'Per hour'],
                 rows: bu.rates.map(function (r) { return [MTW.cap(r.condition), String(r.incidents), String(r.exposure_hours), MTW.fmtNum(r.per_hour, 2)]; }) });
        }
        story($('bunch-story'), bu.narrative);
        story($('takeaway'), d.key_takeaway);
        $('h-key').parentNode.hidden = !d.key_takeaway;
    }

    UI.poll(UI.api('weather'), {
        interval: 600000, errorEl: $('msg'), onData: render,
        onError: function (e) {
            if (e.status === 503 && e.code === 'not_published') {
                $('content').hidden = true;
                UI.message($('msg'), 'info', 'Weather impact analysis is not available yet: the service has not '
                    + 'collected weather observations for this city. This page fills in by itself once it has.');
            }
        }
    });
}(window.MTW, window.UI));
