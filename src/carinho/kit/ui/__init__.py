"""The UI kit both contexts' pages share: layout, design system, small JS, Jinja macros, formatting.

Atendimento's workspace and the hub's console render with `Pages` (one per app): templates of the
context first, then this kit's (`ui/base.html`, `ui/macros/*.html`, `ui/error.html`). Static files are
served from this package (`/static/ui/…`) and htmx from its installed PyPI package
(`/static/vendor/htmx.min.js`) — nothing third-party is copied into the repository and nothing comes
from a CDN, so the pages work on an intranet.
"""

from carinho.kit.ui.pages import NavItem, Pages, mount_static

__all__ = ["NavItem", "Pages", "mount_static"]
