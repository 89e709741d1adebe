/* api-doc.js - Swagger UI (installed with npm, html/vendor/swagger-ui/) on
 * the module's own OpenAPI document, /api/doc.json.  "Try it out" calls
 * the API of this same server. */
(function (window) {
    'use strict';
    if (!window.SwaggerUIBundle) { return; }
    window.SwaggerUIBundle({
        url: '/api/doc.json',
        dom_id: '#swagger-ui',
        deepLinking: true,
        validatorUrl: null
    });
}(window));
