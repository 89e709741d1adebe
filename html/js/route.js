/* route.js - one route's performance history (route.html?id=): 30-day
 * statistics, schedule realism, rank in the system, the live grade per
 * direction, the daily trend, the day × time heatmap, stop-level delays
 * and weather. Reads /api/dashboard/routes/{id} every 60 s (ETag). */
(function (MTW, UI) {
    'use strict';
    var h = UI.h, $ = UI.$;
    var id = UI.params.get('id');

    var REALISM = {
        over_scheduled: ['⏰', 'Over-scheduled', 'Buses finish their trips well ahead of the timetable.',
            'Tighten running times so buses do not wait at timepoints.'],
        well_scheduled: ['✅', 'Well-scheduled', 'The timetable leaves a little slack.',
            'Keep the current running times.'],
        realistic: ['🎯', 'Realistic', 'Actual trip times match the timetable.',
            'No change needed.'],
        under_scheduled: ['⚠️', 'Under-scheduled', 'Trips take longer than the timetable allows.',
            'Add running time at the slowest segments.'],
        severely_under_scheduled: ['🚨', 'Severely under-scheduled', 'Trips take much longer than scheduled.',
            'Rework the timetable: riders cannot rely on it.']
    };

    function card(label, value, note) {
        return h('div', { class: 'card' }, h('dt', {}, label), h('dd', {}, value, note ? h('small', {}, note) : null));
    }

    function renderStats(s) {
        var days = s.totalDays || 0;
        var has = days > 0;
        UI.fill($('stats'),
            card('30-day average', has ? MTW.fmtPct(s.avgPerformance) : 'No data', 'over ' + days + ' days'),
            card('Best day', has ? MTW.fmtPct(s.bestPerformance) : '—', s.bestDay || ''),
            card('Worst day', has ? MTW.fmtPct(s.worstPerformance) : '—', s.worstDay || ''),
            card('Variability', has && MTW.isNum(s.bestPerformance) && MTW.isNum(s.worstPerformance)
                ? MTW.fmtNum(s.bestPerformance - s.worstPerformance, 1) + ' pts' : '—', 'best − worst day'),
            card('30-day grade', UI.gradePill(s.grade)),
            card('Service delivered', s.serviceDelivered ? MTW.fmtPct(s.serviceDelivered.pct) : '—',
                s.serviceDelivered ? s.serviceDelivered.observedTrips + ' of '
                    + s.serviceDelivered.scheduledTrips + ' scheduled trips seen running'
                    : 'no day with a timetable yet'),
            card('Cancelled', s.serviceDelivered ? MTW.fmtPct(s.serviceDelivered.canceledPct) : '—',
                s.serviceDelivered ? s.serviceDelivered.canceledTrips + ' trips cancelled, '
                    + s.serviceDelivered.skippedStops + ' stops skipped'
                    : 'no day with a timetable yet'));
        var r = REALISM[s.scheduleRealismGrade];
        $('realism').hidden = !r;
        if (r) {
            UI.fill($('realism-body'), h('p', {}, h('span', { 'aria-hidden': 'true' }, r[0] + ' '),
                h('strong', {}, r[1]), ': ' + r[2] + ' ' + r[3]),
                h('p', { class: 'hint' }, 'Ratio ' + MTW.fmtNum(s.scheduleRealismRatio, 2)
                  + ' (actual trip time / scheduled trip time)'));
        }
        var c = s.systemComparison;
        $('comparison').hidden = !c;
        if (c) {
            UI.fill($('comparison-body'), 'Ranks #' + c.routeRank + ' of ' + c.totalRoutes + ' routes ('
                + c.percentile + 'th percentile, ' + (c.rankingDescription || '') + '): '
                + MTW.fmtPct(c.routePerformance) + ' on time against a system median of '
                + MTW.fmtPct(c.systemMedianPerformance) + ' (' + (c.performanceDelta >= 0 ? '+' : '')
                + MTW.fmtNum(c.performanceDelta, 1) + ' points).'
                + (c.underperforming ? ' Underperforming: more than 10 points below the median.' : ''));
        }
    }

    function renderLive(live) {
        var dirs = (live && live.directions) || [];
        if (!dirs.length) {
            UI.fill($('live-now'), h('p', {}, 'No buses of this route are running right now. ',
                h('a', { href: UI.page('live.html', { id: id }) }, 'Open the live view')));
            return;
        }
        UI.fill($('live-now'), h('div', { class: 'scroll-x' }, UI.dataTable({
            caption: 'Live grade ' + (live.grade || 'N/A') + ' with ' + live.vehicles + ' vehicles',
            head: ['Direction', 'Grade', 'Vehicles', 'Headway (observed / scheduled)',
                   'Regularity (cv, LOS)', 'Excess wait', 'Bunched', 'Gaps', 'On time'],
            rows: dirs.map(function (g) {
                return ['Direction ' + g.direction, g.grade, String(g.vehicles),
                    MTW.fmtDuration(g.observed_headway_sec) + ' / ' + MTW.fmtDuration(g.scheduled_headway_sec),
                    g.headway_cv !== null && g.headway_cv !== undefined
                        ? MTW.fmtNum(g.headway_cv, 2) + ' (LOS ' + g.headway_los + ')' : '—',
                    MTW.fmtDuration(g.excess_wait_sec), MTW.fmtShare(g.bunched_share),
                    MTW.fmtShare(g.gapped_share), MTW.fmtPct(g.on_time_pct)];
            })
        })));
    }

    function renderTrend(t) {
        var ok = t && t.dates && t.dates.length;
        $('trend-empty').hidden = !!ok;
        $('trend-chart').hidden = !ok;
        if (!ok) { return; }
        UI.chart('trend-chart', {
            type: 'line',
            data: { labels: t.dates, datasets: [{ label: 'On time (%)', data: t.on_time_pct,
                    borderColor: '#1d4ed8', backgroundColor: 'rgba(29,78,216,.15)', fill: true,
                    tension: .3, spanGaps: false }] },
            options: { scales: { y: { min: 0, max: 100 } }, plugins: { legend: { display: false } } }
        }, { caption: 'Daily on-time performance', head: ['Day', 'On time'],
             rows: t.dates.map(function (d, i) { return [d, MTW.fmtPct(t.on_time_pct[i])]; }) });
    }

    function renderHeatmap(hm) {
        var table = $('heatmap');
        var ok = hm && hm.days && hm.buckets && hm.cells && hm.cells.some(function (c) { return MTW.isNum(c[2]); });
        $('heat-empty').hidden = !!ok;
        table.hidden = !ok;
        if (!ok) { return; }
        var val = {};
        hm.cells.forEach(function (c) { val[c[0] + ':' + c[1]] = c[2]; });
        UI.fill(table,
            h('caption', { class: 'sr-only' }, 'On-time percentage by day of week (columns) and time of day (rows)'),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Time'),
                hm.days.map(function (d) { return h('th', { scope: 'col' }, d); }))),
            h('tbody', {}, hm.buckets.map(function (b, bi) {
                return h('tr', {}, h('th', { scope: 'row' }, b + ' h'), hm.days.map(function (d, di) {
                    var v = val[di + ':' + bi];
                    var bg = MTW.heatColor(v);
                    return h('td', { style: { background: bg, color: MTW.textOn(bg) },
                                     title: d + ' ' + b + ' h: ' + MTW.fmtPct(v) },
                             MTW.isNum(v) ? MTW.fmtNum(v, 0) : '–');
                }));
            })));
    }

    function renderStops(sr) {
        var any = false;
        ['0', '1'].forEach(function (dir) {
            var d = sr && sr[dir];
            var box = $('stops-' + dir);
            var ok = d && d.stops && d.stops.length;
            box.hidden = !ok;
            if (!ok) { return; }
            any = true;
            box.querySelector('figcaption').textContent = 'Average delay at each stop towards '
                + (d.label || (dir === '0' ? 'outbound' : 'inbound')) + ' (minutes; negative is early)';
            UI.chart('stops-' + dir, {
                type: 'bar',
                data: { labels: d.stops.map(function (s) { return MTW.shortStopName(s.name); }),
                        datasets: [{ label: 'Average delay (min)',
                                     data: d.stops.map(function (s) { return +(s.avg_delay_sec / 60).toFixed(1); }),
                                     backgroundColor: d.stops.map(function (s) { return MTW.delayColor(s.avg_delay_sec); }) }] },
                options: { indexAxis: 'y', plugins: { legend: { display: false } } }
            }, { caption: 'Stops towards ' + (d.label || dir), head: ['Stop', 'Average delay', 'On time', 'Samples'],
                 rows: d.stops.map(function (s) {
                     return [s.name, MTW.fmtDelay(s.avg_delay_sec), MTW.fmtPct(s.on_time_pct), String(s.samples)];
                 }) });
        });
        $('stops-empty').hidden = any;
    }

    function renderWeather(w) {
        var ok = w && w.length;
        $('rw-empty').hidden = !!ok;
        $('weather-chart').hidden = !ok;
        if (!ok) { return; }
        UI.chart('weather-chart', {
            type: 'bar',
            data: { labels: w.map(function (x) { return x.label || MTW.cap(x.condition); }),
                    datasets: [{ label: 'On time (%)', data: w.map(function (x) { return x.avg_on_time_pct; }),
                                 backgroundColor: '#60a5fa', borderColor: '#1e3a8a', borderWidth: 1 }] },
            options: { scales: { y: { min: 0, max: 100 } }, plugins: { legend: { display: false } } }
        }, { caption: 'On time by weather', head: ['Condition', 'On time', 'Days'],
             rows: w.map(function (x) { return [x.label || MTW.cap(x.condition), MTW.fmtPct(x.avg_on_time_pct), String(x.days)]; }) });
    }

    function render(d) {
        var r = d.route || {};
        var name = 'Route ' + (r.short_name || r.id);
        document.title = name + ' · mind-the-wait';
        UI.fill($('crumb'), name);
        UI.fill($('title'), UI.routeBadge(r), ' ', r.long_name || name);
        $('content').hidden = false;
        renderStats(d.stats || {});
        renderLive(d.live);
        renderTrend(d.trend);
        renderHeatmap(d.heatmap);
        renderStops(d.stop_reliability);
        renderWeather(d.weather);
    }

    if (!MTW.validId(id)) {
        UI.message($('msg'), 'error', 'No route chosen: open a route from the route list.');
        return;
    }
    $('tab-live').href = UI.page('live.html', { id: id });
    UI.alertsBox($('alerts'), { route_id: id });
    UI.poll(UI.api('route', { routeId: id }), {
        interval: 60000, errorEl: $('msg'), onData: render,
        onError: function (e) { if (e.status === 404) { $('content').hidden = true; } }
    });
}(window.MTW, window.UI));
