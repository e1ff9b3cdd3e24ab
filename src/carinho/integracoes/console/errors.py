"""The console's error pages: the kit's renderer with this app's login and session cookie."""

from __future__ import annotations

from carinho.integracoes.console.auth import SESSION_COOKIE
from carinho.integracoes.console.pages import LOGIN_URL, pages
from carinho.kit.ui.errors import html_error_renderer

render_error = html_error_renderer(pages, login_url=LOGIN_URL, session_cookie=SESSION_COOKIE)
