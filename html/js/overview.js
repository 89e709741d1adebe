/* overview.js - the overview page (index.html): system grade, on-time
 * performance, vehicles and routes, bunching and headway regularity now,
 * the best and worst route directions now and over 30 days.
 * Reads /api/dashboard/overview every 15 s (ETag), the weather banner. */
(function (MTW, UI) {
    'use strict';
    var h = UI.h, $ = UI.$;

    function routeItem(m, withIssue) {
        var href = MTW.validId(m.route_id) ? UI.page('route.html', { id: m.route_id }) : null;
        var dir = MTW.isNum(m.direction) ? ' · direction ' + m.direction : '';
        var issue = {
            delays: 'Delays', bunching: 'Bunching', gaps: 'Gaps',
            limited_data: 'Limited data (1 vehicle)'
        }[m.issue];
        return h('li', {},
            UI.routeBadge(m),
            h('span', { class: 'name' },
                href ? h('a', { href: href }, m.long_name || m.short_name || m.route_id)
                     : (m.long_name || m.route_id),
                h('small', {},
                    (MTW.isNum(m.on_time_percentage) ? MTW.fmtPct(m.on_time_percentage) + ' on time' : 'on-time n/a')
                    + (MTW.isNum(m.active_vehicles) ? ' · ' + m.active_vehicles + ' vehicles' : '')
                    + dir
                    + (withIssue && issue ? ' · ' + issue : '')
                    + (m.headway_los ? ' · regularity LOS ' + m.headway_los : ''))),
            UI.gradePill(m.grade));
    }

    function list(id, items, empty, withIssue) {
        var el = $(id);
        if (!items || !items.length) {
            UI.fill(el, h('li', { class: 'empty' }, empty));
            return;
        }
        UI.fill(el, items.slice(0, 5).map(function (m) { return routeItem(m, withIssue); }));
    }

    function render(d) {
        var now = UI.now();
        /* the worker's reading of the numbers: plain text */
        $('insight').hidden = !d.insight;
        $('insight').textContent = d.insight || '';
        UI.fill($('c-grade'), UI.gradePill(d.system_grade, 'System grade ' + d.system_grade));
        var chg = d.change_vs_yesterday;
        UI.fill($('c-otp'), MTW.fmtPct(d.on_time_percentage),
            h('small', {}, !MTW.isNum(chg) ? 'No two days of history yet'
                : chg === 0 ? 'Yesterday: no change on the day before'
                : 'Yesterday: ' + (chg > 0 ? '▲ +' : '▼ ') + MTW.fmtNum(chg, 1)
                  + ' points on the day before'));
        UI.fill($('c-vehicles'), String(d.active_vehicles));
        UI.fill($('c-routes'), String(d.total_routes));

        var feed = $('feed');
        if (d.is_feed_healthy === false || d.stale) {
            UI.message(feed, 'warn', 'Live data temporarily unavailable: last vehicle update '
                + MTW.fmtAgo(d.feed_last_updated, now) + '.');
        } else {
            feed.className = 'feed';
            feed.hidden = false;
            UI.fill(feed, 'Live feed healthy · last vehicle update '
                + MTW.fmtAgo(d.feed_last_updated, now) + '.');
        }

        var n = d.now || {};
        if (MTW.isNum(n.headways_observed) && n.headways_observed > 0) {
            UI.fill($('bunching'),
                h('strong', {}, String(n.bunched || 0)), ' bunched and ',
                h('strong', {}, String(n.gapped || 0)), ' gapped headways out of ',
                String(n.headways_observed), ' observed now (',
                MTW.fmtShare(n.bunched_share), ' bunched). ',
                MTW.isNum(n.on_time_pct) ? MTW.fmtPct(n.on_time_pct) + ' of '
                    + n.on_time_sample + ' buses within the on-time window.' : '');
        } else {
            UI.fill($('bunching'), 'No headways observed right now (fewer than two buses on every route).');
        }
        var los = n.headway_los || {};
        var letters = ['A', 'B', 'C', 'D', 'E', 'F'];
        UI.chart('los-chart', {
            type: 'bar',
            data: {
                labels: letters.map(function (l) { return 'LOS ' + l; }),
                datasets: [{ label: 'Route directions', data: letters.map(function (l) { return los[l] || 0; }),
                             backgroundColor: ['#059669', '#10b981', '#84cc16', '#fbbf24', '#f97316', '#dc2626'] }]
            },
            options: { plugins: { legend: { display: false } },
                       scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
        }, { caption: 'Route directions per headway level of service', head: ['Level', 'Route directions'],
             rows: letters.map(function (l) { return ['LOS ' + l, String(los[l] || 0)]; }) });

        list('top', d.top_performers, 'No route has enough buses running to be graded right now.');
        list('attention', d.needs_attention, 'Nothing needs attention right now.', true);
        list('hist-top', d.historical_top_performers, 'Not enough historical data yet.');
        list('hist-worst', d.historical_worst_performers, 'Not enough historical data yet.');
    }

    UI.weatherBanner($('weather'));
    UI.alertsBox($('alerts'));
    UI.poll(UI.api('overview'), { interval: 15000, errorEl: $('msg'), onData: render });
}(window.MTW, window.UI));
