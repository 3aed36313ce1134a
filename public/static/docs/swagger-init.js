// Starts Swagger UI on /docs. Kept in a file (not inline) so the page's CSP can forbid inline scripts.
window.addEventListener('load', () => {
  window.ui = window.SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    displayOperationId: true,
    // The default validator badge calls validator.swagger.io; this page makes no third-party requests.
    validatorUrl: null,
  })
})
