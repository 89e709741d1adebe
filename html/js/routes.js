/* routes.js - the route list (routes.html): every route with its grade,
 * on-time performance and vehicles, searched and sorted in the browser;
 * the search and the order are kept in the address (?search=&sort=).
 * Reads /api/dashboard/routes every 60 s (ETag). */
(function (MTW, UI) {
    'use strict';
    var h = UI.h, $ = UI.$;
    var routes = [];
    var search = $('search'), sort = $('sort');
    search.value = UI.params.get('search') || '';
    if (['name', 'grade', 'performance', 'vehicles'].indexOf(UI.params.get('sort')) >= 0) {
        sort.value = UI.params.get('sort');
    }

    function card(r) {
        var conf = r.confidence_level;
        var meta = [];
        meta.push(MTW.isNum(r.on_time_pct) ? 'On time: ' + MTW.fmtPct(r.on_time_pct) : 'On time: n/a');
        if (MTW.isNum(r.days_of_data) && r.days_of_data > 0) {
            meta.push(r.days_of_data + (r.days_of_data === 1 ? ' day' : ' days') + ' of data'
                      + (conf === 'low' ? ' (low confidence)' : ''));
        } else if (conf === 'realtime') {
            meta.push('live grade');
        }
        if (r.active_vehicles > 0) { meta.push(r.active_vehicles + ' vehicles active'); }
        return h('li', {}, h('a', { href: UI.page('route.html', { id: r.id }) },
            UI.routeBadge(r),
            h('span', { class: 'name' }, h('strong', {}, r.long_name || r.short_name || r.id),
              h('span', { class: 'meta' }, meta.join(' · '))),
            UI.gradePill(r.grade)));
    }

    function render() {
        var list = MTW.sortRoutes(MTW.filterRoutes(routes, search.value), sort.value);
        $('count').textContent = 'Showing ' + list.length + ' of ' + routes.length + ' routes';
        if (!list.length && routes.length) {
            UI.fill($('routes'), h('li', {}, 'No routes match "' + search.value + '". ',
                h('button', { type: 'button', id: 'clear' }, 'Clear search')));
            $('clear').addEventListener('click', function () { search.value = ''; changed(); search.focus(); });
            return;
        }
        UI.fill($('routes'), list.map(card));
    }

    function changed() {
        var p = new URLSearchParams(window.location.search);
        if (search.value) { p.set('search', search.value); } else { p.delete('search'); }
        if (sort.value !== 'name') { p.set('sort', sort.value); } else { p.delete('sort'); }
        var s = p.toString();
        window.history.replaceState(null, '', window.location.pathname + (s ? '?' + s : ''));
        render();
    }
    search.addEventListener('input', changed);
    sort.addEventListener('change', changed);

    UI.poll(UI.api('routes'), {
        interval: 60000, errorEl: $('msg'),
        onData: function (d) { routes = d.routes || []; render(); }
    });
}(window.MTW, window.UI));
