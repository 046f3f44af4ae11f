#!/usr/bin/env bash
# Make a compressed .dmg holding Ponder.app and a link to /Applications.
#   installer/macos/make_dmg.sh dist/Ponder.app dist/Ponder-0.1.0-macos-arm64.dmg
# Sign the app first (sign_and_notarize.sh app) and the .dmg afterwards
# (sign_and_notarize.sh dmg): the image holds a copy of the app as it is now.
#
# hdiutil on hosted macOS runners fails now and then with "Resource busy"
# (a Spotlight or XProtect scan holds the image): it is tried up to
# PONDER_DMG_ATTEMPTS times (5), waiting attempt x PONDER_DMG_RETRY_DELAY
# seconds (10) in between.
set -euo pipefail
app="$1"
dmg="$2"
[ -d "$app" ] || { echo "make_dmg: $app is not a folder" >&2; exit 1; }
attempts="${PONDER_DMG_ATTEMPTS:-5}"
delay="${PONDER_DMG_RETRY_DELAY:-10}"
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
for attempt in $(seq 1 "$attempts"); do
  rm -f "$dmg"
  if hdiutil create -volname "Ponder" -srcfolder "$staging" -fs HFS+ -format UDZO \
      -imagekey zlib-level=9 "$dmg"; then
    echo "made $dmg"
    exit 0
  fi
  echo "make_dmg: hdiutil create failed (attempt $attempt of $attempts)" >&2
  if [ "$attempt" -lt "$attempts" ]; then
    sleep $((attempt * delay))
  fi
done
echo "make_dmg: could not create $dmg after $attempts attempts" >&2
exit 1
