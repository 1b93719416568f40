"""Browser tests: Playwright (sync API) driving Debian's chromium against gunicorn."""
