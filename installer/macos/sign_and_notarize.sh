#!/usr/bin/env bash
# Sign Ponder.app before it goes into a .dmg, then sign, notarize and staple
# the .dmg, when the release has the secrets for it; otherwise say so and
# leave the files unsigned (users then open the app once through System
# Settings > Privacy & Security > Open Anyway).
#
#   installer/macos/sign_and_notarize.sh app dist/Ponder.app      # before make_dmg.sh
#   installer/macos/sign_and_notarize.sh dmg dist/Ponder-*.dmg    # after make_dmg.sh
#
# packaging/build.py runs both around make_dmg.sh, for the normal and the
# offline .dmg alike.
#
# Environment (repository secrets in the release workflow):
#   MACOS_CERT_P12_BASE64  Developer ID Application certificate, .p12, base64
#   MACOS_CERT_PASSWORD    its password
#   MACOS_SIGN_IDENTITY    e.g. "Developer ID Application: Name (TEAMID)"
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD   for notarytool
set -euo pipefail
mode="${1:-}"
target="${2:-}"
here="$(cd "$(dirname "$0")" && pwd)"
case "$mode" in
  app|dmg) ;;
  *) echo "usage: $0 app PATH.app | dmg PATH.dmg" >&2; exit 2 ;;
esac

if [ -z "${MACOS_CERT_P12_BASE64:-}" ] || [ -z "${MACOS_SIGN_IDENTITY:-}" ]; then
  echo "signing skipped: MACOS_CERT_P12_BASE64 / MACOS_SIGN_IDENTITY are not set"
  exit 0
fi
[ -e "$target" ] || { echo "sign_and_notarize: $target does not exist" >&2; exit 1; }

# One keychain per job, made by the first call and reused by the second.
tmp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
keychain="$tmp/ponder-signing.keychain-db"
password_file="$tmp/ponder-signing.pw"
if [ ! -f "$password_file" ]; then
  uuidgen > "$password_file"
  keychain_password="$(cat "$password_file")"
  security create-keychain -p "$keychain_password" "$keychain"
  security set-keychain-settings -lut 21600 "$keychain"
  security unlock-keychain -p "$keychain_password" "$keychain"
  echo "$MACOS_CERT_P12_BASE64" | base64 --decode > "$tmp/cert.p12"
  security import "$tmp/cert.p12" -k "$keychain" -P "${MACOS_CERT_PASSWORD:-}" \
    -T /usr/bin/codesign
  rm -f "$tmp/cert.p12"
  # shellcheck disable=SC2046
  security list-keychains -d user -s "$keychain" $(security list-keychains -d user | tr -d '"')
  security set-key-partition-list -S apple-tool:,apple: -s -k "$keychain_password" "$keychain"
else
  security unlock-keychain -p "$(cat "$password_file")" "$keychain"
fi

sign() {
  codesign --force --timestamp --options runtime --sign "$MACOS_SIGN_IDENTITY" "$@"
}

# Mach-O files start with one of these magic numbers (thin, either byte
# order, or universal); their names say nothing (Qt's framework binaries and
# Python's library have no extension).
is_macho() {
  case "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" in
    cffaedfe|cefaedfe|feedfacf|feedface|cafebabe|cafebabf) return 0 ;;
    *) return 1 ;;
  esac
}

# Deepest paths first: a bundle is sealed only after everything inside it.
deepest_first() {
  awk -F/ '{ print NF "\t" $0 }' | sort -t "$(printf '\t')" -k1,1nr -k2 | cut -f2-
}

if [ "$mode" = "app" ]; then
  app="$target"
  count=0
  while IFS= read -r file; do
    if is_macho "$file"; then
      sign "$file"
      count=$((count + 1))
    fi
  done < <(find "$app/Contents" -type f ! -path "$app/Contents/MacOS/*" | deepest_first)
  while IFS= read -r bundle; do
    sign "$bundle"
  done < <(find "$app/Contents" -type d \( -name "*.framework" -o -name "*.app" \) | deepest_first)
  # The executables, then the app itself with the hardened runtime's entitlements.
  while IFS= read -r exe; do
    if is_macho "$exe"; then
      sign --entitlements "$here/entitlements.plist" "$exe"
      count=$((count + 1))
    fi
  done < <(find "$app/Contents/MacOS" -type f | deepest_first)
  sign --entitlements "$here/entitlements.plist" "$app"
  codesign --verify --deep --strict --verbose=2 "$app"
  echo "signed $app ($count Mach-O files, inside out)"
  exit 0
fi

dmg="$target"
codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$dmg"
codesign --verify --verbose=2 "$dmg"
if [ -z "${APPLE_ID:-}" ] || [ -z "${APPLE_TEAM_ID:-}" ] || [ -z "${APPLE_APP_PASSWORD:-}" ]; then
  echo "notarization skipped: APPLE_ID / APPLE_TEAM_ID / APPLE_APP_PASSWORD are not set"
  exit 0
fi
auth=(--apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" --password "$APPLE_APP_PASSWORD")
# notarytool exits 0 even when Apple's verdict is "Invalid": read the verdict.
result="$(xcrun notarytool submit "$dmg" "${auth[@]}" --wait --output-format json)" || true
echo "$result"
field() {
  python3 -c 'import json, sys
try:
    print(json.loads(sys.argv[1]).get(sys.argv[2], ""))
except ValueError:
    print("")' "$result" "$1"
}
status="$(field status)"
submission="$(field id)"
if [ "$status" != "Accepted" ]; then
  echo "notarization failed: Apple's verdict is '${status:-none}' for $dmg" >&2
  if [ -n "$submission" ]; then
    xcrun notarytool log "$submission" "${auth[@]}" >&2 || true
  fi
  exit 1
fi
xcrun stapler staple "$dmg"
xcrun stapler validate "$dmg"
echo "signed and notarized $dmg"
