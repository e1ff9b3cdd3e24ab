"""atendimento in the browser: server-rendered pages (Jinja2 + htmx + SSE) on the same services as
the JSON API. The layout, CSS, JS and macros come from `carinho.kit.ui`; this package holds the
routes and templates of the contact center's pages."""
