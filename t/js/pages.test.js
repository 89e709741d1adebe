// pages.test.js - static checks of the dashboard pages (html/*.html) and
// their scripts, run by `node --test t/js/` (scripts/check-dashboard.sh):
// each page is a complete accessible document whose assets exist, whose
// form controls have labels, and whose scripts only look up elements the
// page has; every API path in the scripts is one docs/openapi.json lists.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const HTML = path.join(ROOT, 'html');
// api-doc.html is Swagger UI's page (/api/doc), not a dashboard page
const pages = fs.readdirSync(HTML).filter((f) => f.endsWith('.html') && f !== 'api-doc.html').sort();
const read = (f) => fs.readFileSync(path.join(HTML, f), 'utf8');

test('the dashboard has its pages', () => {
    for (const p of ['index.html', 'routes.html', 'route.html', 'live.html',
                     'stops.html', 'weather.html', 'map.html']) {
        assert.ok(pages.includes(p), `${p} missing`);
    }
});

test('api-doc.html: Swagger UI from html/vendor/ on /api/doc.json', () => {
    const html = read('api-doc.html');
    assert.match(html, /^<!doctype html>/i);
    assert.match(html, /<html lang="en">/);
    assert.match(html, /<title>[^<]+<\/title>/);
    assert.match(html, /<script src="\/vendor\/swagger-ui\/swagger-ui-bundle\.js" defer><\/script>/);
    assert.match(html, /<link rel="stylesheet" href="\/vendor\/swagger-ui\/swagger-ui\.css">/);
    assert.match(html, /<script src="\/js\/api-doc\.js" defer><\/script>/);
    assert.match(html, /<div id="swagger-ui">/);
    const js = fs.readFileSync(path.join(HTML, 'js', 'api-doc.js'), 'utf8');
    assert.match(js, /url: '\/api\/doc\.json'/);
    assert.match(js, /dom_id: '#swagger-ui'/);
});

for (const page of pages) {
    const html = read(page);
    test(`${page}: a complete, accessible document`, () => {
        assert.match(html, /^<!doctype html>/i);
        assert.match(html, /<html lang="en">/);
        assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
        assert.match(html, /<title>[^<]+<\/title>/);
        assert.equal((html.match(/<h1[\s>]/g) || []).length, 1, 'one h1');
        assert.match(html, /<main id="main"/);
        assert.match(html, /<a class="skip" href="#main">/);
        assert.match(html, /<nav class="top" aria-label="Main">/);
        // every form control has a label
        for (const m of html.matchAll(/<(input|select|textarea)\b[^>]*\bid="([^"]+)"/g)) {
            assert.match(html, new RegExp(`<label for="${m[2]}">`), `${m[2]} has no label`);
        }
        // every canvas is described
        for (const m of html.matchAll(/<canvas\b[^>]*>/g)) {
            assert.match(m[0], /role="img"/);
            assert.match(m[0], /aria-label="[^"]+"/);
        }
        // ids are unique
        const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
        assert.equal(new Set(ids).size, ids.length, 'duplicate id');
    });

    test(`${page}: local assets exist; scripts find their elements`, () => {
        const refs = [...html.matchAll(/\s(?:src|href)="([^"#?]+)[^"]*"/g)].map((m) => m[1])
            .filter((r) => !/^(https?:|\/api\/|mailto:)/.test(r));
        for (const r of refs) {
            if (r.startsWith('vendor/')) { continue; }   // built by make dashboard (t/50 checks it is served)
            assert.ok(fs.existsSync(path.join(HTML, r)), `${page} references ${r}, which does not exist`);
        }
        const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
        const scripts = refs.filter((r) => /^js\/(?!lib|ui)\w+\.js$/.test(r));
        assert.ok(scripts.length >= 1, 'a page script');
        for (const s of scripts) {
            const js = fs.readFileSync(path.join(HTML, s), 'utf8');
            const made = new Set([...js.matchAll(/\bid: '([\w-]+)'/g)].map((m) => m[1]));
            for (const m of js.matchAll(/\$\('([\w-]+)'\)/g)) {
                const id = m[1];
                assert.ok(ids.has(id) || made.has(id), `${s} looks up #${id}, not in ${page}`);
            }
        }
    });
}

test('every API path in the scripts is in docs/openapi.json', () => {
    const spec = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/openapi.json'), 'utf8'));
    const js = fs.readdirSync(path.join(HTML, 'js')).filter((f) => f.endsWith('.js'));
    let n = 0;
    for (const f of js) {
        const src = fs.readFileSync(path.join(HTML, 'js', f), 'utf8');
        for (const m of src.matchAll(/'(\/api\/[^'?]*)/g)) {
            n++;
            assert.ok(spec.paths[m[1]], `${f}: ${m[1]} is not in openapi.json`);
        }
        // requests go through lib.js (ETag handling, errors), never raw
        if (f !== 'lib.js') {
            assert.doesNotMatch(src, /fetch\(/, `${f} calls fetch directly`);
            assert.doesNotMatch(src, /XMLHttpRequest|location\.reload/, `${f}: raw XHR or full reload`);
        }
    }
    assert.ok(n >= 10, `found ${n} API paths`);
});
