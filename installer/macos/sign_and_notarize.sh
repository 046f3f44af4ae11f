#!/usr/bin/env bash
# Sign Ponder.app (and the .dmg) and notarize the .dmg with Apple, if the
# release has the secrets for it; otherwise say so and leave the files
# unsigned (users then open the app with right-click > Open the first time).
#
#   installer/macos/sign_and_notarize.sh dist/Ponder.app dist/Ponder-*.dmg
#
# Environment (repository secrets in the release workflow):
#   MACOS_CERT_P12_BASE64  Developer ID Application certificate, .p12, base64
#   MACOS_CERT_PASSWORD    its password
#   MACOS_SIGN_IDENTITY    e.g. "Developer ID Application: Name (TEAMID)"
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD   for notarytool
set -euo pipefail
app="$1"
dmg="${2:-}"
here="$(cd "$(dirname "$0")" && pwd)"

if [ -z "${MACOS_CERT_P12_BASE64:-}" ] || [ -z "${MACOS_SIGN_IDENTITY:-}" ]; then
  echo "signing skipped: MACOS_CERT_P12_BASE64 / MACOS_SIGN_IDENTITY are not set"
  exit 0
fi

keychain="$RUNNER_TEMP/ponder-signing.keychain-db"
keychain_password="$(uuidgen)"
security create-keychain -p "$keychain_password" "$keychain"
security set-keychain-settings -lut 21600 "$keychain"
security unlock-keychain -p "$keychain_password" "$keychain"
echo "$MACOS_CERT_P12_BASE64" | base64 --decode > "$RUNNER_TEMP/cert.p12"
security import "$RUNNER_TEMP/cert.p12" -k "$keychain" -P "${MACOS_CERT_PASSWORD:-}" \
  -T /usr/bin/codesign
rm -f "$RUNNER_TEMP/cert.p12"
security list-keychains -d user -s "$keychain" $(security list-keychains -d user | tr -d '"')
security set-key-partition-list -S apple-tool:,apple: -s -k "$keychain_password" "$keychain"

# Inside out: every native library first, then the app with the hardened runtime.
find "$app/Contents" -type f \( -name "*.dylib" -o -name "*.so" \) -print0 |
  xargs -0 -n 20 codesign --force --timestamp --options runtime \
    --sign "$MACOS_SIGN_IDENTITY"
codesign --force --timestamp --options runtime \
  --entitlements "$here/entitlements.plist" --sign "$MACOS_SIGN_IDENTITY" "$app"
codesign --verify --deep --strict --verbose=2 "$app"

if [ -z "$dmg" ]; then
  exit 0
fi
codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$dmg"
if [ -z "${APPLE_ID:-}" ] || [ -z "${APPLE_TEAM_ID:-}" ] || [ -z "${APPLE_APP_PASSWORD:-}" ]; then
  echo "notarization skipped: APPLE_ID / APPLE_TEAM_ID / APPLE_APP_PASSWORD are not set"
  exit 0
fi
xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
  --password "$APPLE_APP_PASSWORD" --wait
xcrun stapler staple "$dmg"
echo "signed and notarized $dmg"
