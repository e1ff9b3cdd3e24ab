"""Tools to drive the pages in a real browser, shared by atendimento's workspace and the hub's console.

- `platform`: the whole platform started as a user would (`carinho up` in a subprocess, on free
  ports, in a fresh data directory), the credentials its first start prints, and helpers to act on
  it through its JSON APIs; its bases `startup` (ports, printed credentials, waiting, checking
  answers) and `sandbox_controls` (the customer's phone, faults, the clock).
- `browser`: Debian's Chromium through Playwright, logging in through the login page, and axe-core
  checks that fail on serious or critical violations with a readable report.

Playwright and axe-playwright-python are development dependencies: only `browser` imports them, and
only this package imports `browser`; nothing of the running apps imports this package.
"""
