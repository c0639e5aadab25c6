#!/usr/bin/env bash
# Regenerates docs/web-view.png, the README's picture of the web view: the browser test (a real barnnd fed the
# bundled demo slice, headless Chromium) saves its screenshot of the stream page there too.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
BARNND_WEB_SCREENSHOT="$PWD/docs/web-view.png" swift test --skip-build --filter WebViewBrowserTests
ls -l docs/web-view.png
