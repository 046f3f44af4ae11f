#!/usr/bin/env bash
# Make a compressed .dmg holding Ponder.app and a link to /Applications.
#   installer/macos/make_dmg.sh dist/Ponder.app dist/Ponder-0.1.0-macos-arm64.dmg
set -euo pipefail
app="$1"
dmg="$2"
[ -d "$app" ] || { echo "make_dmg: $app is not a folder" >&2; exit 1; }
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
rm -f "$dmg"
hdiutil create -volname "Ponder" -srcfolder "$staging" -fs HFS+ -format UDZO \
  -imagekey zlib-level=9 "$dmg"
echo "made $dmg"
