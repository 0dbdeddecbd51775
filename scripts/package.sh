#!/usr/bin/env bash
# Makes the release bundles in target/package/ (or the folder given):
#   steam_auth-<version>.zip             addons/steam_auth as Godot's Asset Library installs it: every
#                                        platform's debug and release libraries, Valve's libraries,
#                                        the .gdextension, LICENSE and a short README
#   steam_auth_login_only-<version>.zip  the same addon without the Steam libraries (games that keep
#                                        GodotSteam; the full zip also works beside it)
#   steam-login-server-<version>-x86_64-linux.tar.gz   the login server as one static binary (musl)
# Builds every platform's libraries (the shipped profiles carry no debug info), checks every library
# (scripts/lib/check-binaries.py) and that each zip holds exactly the files its .gdextension names, no
# more and no fewer.
# Usage: scripts/package.sh [out dir]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/package}"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' rust/steam-auth-gdext/Cargo.toml | head -n1)
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# A platform's debug and release builds run side by side: they share no build directory, and while one
# spends minutes in its single-threaded LTO link the other uses the second core.
builds="$stage/builds"
mkdir -p "$builds"
scripts/lib/provision-cross-tools.sh linux-glibc linux-arm64 windows macos >&2 # before, not in both at once
for platform in linux linux-arm64 windows macos; do
  pids=()
  for build in template-debug release; do
    scripts/build-addon.sh "$build" "$platform" >"$builds/$platform-$build.log" 2>&1 &
    pids+=($!)
  done
  for i in 0 1; do
    build=$([ "$i" = 0 ] && echo template-debug || echo release)
    status=0
    wait "${pids[$i]}" || status=$?
    grep '^\[build\]' "$builds/$platform-$build.log" >&2 || true
    if [ "$status" -ne 0 ]; then
      kill "${pids[@]}" 2>/dev/null || true
      tail -n 40 "$builds/$platform-$build.log" >&2
      echo "[package] FAILED: scripts/build-addon.sh $build $platform (exit $status)" >&2
      exit 1
    fi
  done
done

# The bin/ files a .gdextension names, one per line, as paths under bin/ (linux-arm64/ has its own).
named_files() { grep -o 'res://addons/steam_auth/bin/[^"]*' "$1" | sed 's|^res://addons/steam_auth/bin/||' | sort -u; }

# assemble <dir> <gdextension>: addons/steam_auth with exactly the files the .gdextension names.
assemble() {
  local addon="$1/addons/steam_auth" file
  mkdir -p "$addon/bin"
  cp "$2" "$addon/steam_auth.gdextension"
  cp addons/steam_auth/README.md LICENSE "$addon/"
  while read -r file; do
    mkdir -p "$(dirname "$addon/bin/$file")"
    cp addons/steam_auth/bin/"$file" "$addon/bin/$file"
  done < <(named_files "$2")
  python3 scripts/lib/check-binaries.py "$addon/bin" >&2
  # The zip can never name a file it lacks, nor carry one nobody loads.
  if ! diff <(named_files "$addon/steam_auth.gdextension") <(cd "$addon/bin" && find . -type f | sed 's|^\./||' | sort) >&2; then
    echo "[package] FAILED: $addon/bin differs from what its .gdextension names (< named, > present)" >&2
    exit 1
  fi
}

zip_folder() { # <zip> <folder whose contents go in>
  python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
target, root = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            path = os.path.join(folder, name)
            info = zipfile.ZipInfo.from_file(path, os.path.relpath(path, root))
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as f:
                z.writestr(info, f.read())
PY
}

list_zip() {
  python3 - "$1" <<'PY'
import sys, zipfile
for info in zipfile.ZipFile(sys.argv[1]).infolist():
    print(f"[package]   {info.file_size:>11,}  {info.filename}")
PY
}

# 1. The addon.
assemble "$stage/full" addons/steam_auth/steam_auth.gdextension
full_zip="$out/steam_auth-$version.zip"
rm -f "$full_zip"
zip_folder "$full_zip" "$stage/full"

# 2. Login-only: the entry libraries alone (they find no Steam library beside them and say nothing).
sed '/^; Exported beside/,$d' addons/steam_auth/steam_auth.gdextension >"$stage/login_only.gdextension"
assemble "$stage/login" "$stage/login_only.gdextension"
login_zip="$out/steam_auth_login_only-$version.zip"
rm -f "$login_zip"
zip_folder "$login_zip" "$stage/login"

# 3. The login server, static.
scripts/lib/provision-cross-tools.sh musl >&2
cargo zigbuild --release --target x86_64-unknown-linux-musl -p steam-login-server --bin steam-login-server >&2
server=target/x86_64-unknown-linux-musl/release/steam-login-server
if readelf -dW "$server" | grep -q '(NEEDED)' || readelf -lW "$server" | grep -q 'INTERP'; then
  echo "[package] FAILED: $server is not a static executable (it names shared libraries or a loader)" >&2
  exit 1
fi
"$server" --help >/dev/null || { echo "[package] FAILED: $server --help" >&2; exit 1; }
mkdir -p "$stage/server/steam-login-server-$version"
cp "$server" LICENSE "$stage/server/steam-login-server-$version/"
server_tar="$out/steam-login-server-$version-x86_64-linux.tar.gz"
tar -C "$stage/server" -czf "$server_tar" "steam-login-server-$version"

for zip in "$full_zip" "$login_zip"; do
  echo "[package] $(basename "$zip") ($(du -h "$zip" | cut -f1)):" >&2
  list_zip "$zip" >&2
done
echo "[package] $(basename "$server_tar") ($(du -h "$server_tar" | cut -f1)): a static x86_64 executable, no NEEDED entries, no interpreter; --help runs" >&2
echo "$full_zip"
