// Starts Swagger UI on the docs page. It lives in its own file, not inline, so that the
// page's Content-Security-Policy can allow scripts from this server only ('self').
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: document.body.dataset.specUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    // The public validator badge would call a server on the internet.
    validatorUrl: null,
  });
});
