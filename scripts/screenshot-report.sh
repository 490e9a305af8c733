#!/usr/bin/env bash
# Renders a bundle's report.html in headless Chromium (Debian's chromium) and saves a screenshot.
#   scripts/screenshot-report.sh BUNDLE_DIR [OUT.png] [HEIGHT]
# Exits non-zero if Chromium is missing, fails, or writes no image. Nothing is fetched: the report
# is self-contained and Chromium's background networking is off.
set -euo pipefail
bundle=${1:?usage: screenshot-report.sh BUNDLE_DIR [OUT.png] [HEIGHT]}
out=${2:-$bundle/report.png}
height=${3:-4000}
[ -d "$bundle" ] || { echo "screenshot-report: no bundle directory $bundle" >&2; exit 2; }
html=$(cd "$bundle" && pwd)/report.html
[ -f "$html" ] || { echo "screenshot-report: no report.html in $bundle (run 'harness report $bundle')" >&2; exit 2; }
command -v chromium >/dev/null || { echo "screenshot-report: chromium not found (apt-get install -y chromium)" >&2; exit 2; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
rm -f "$out"
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
  --window-size=1200,"$height" --screenshot="$(realpath -m "$out")" "file://$html" >/dev/null 2>&1 || true
[ -s "$out" ] || { echo "screenshot-report: chromium wrote no screenshot of $html" >&2; exit 1; }
echo "screenshot: $out"
