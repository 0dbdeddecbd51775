#!/usr/bin/env bash
# What building and testing the other platforms needs, installed when missing (apt-get as root,
# rustup, pip), as scripts/lib/provision-test-tools.sh does for the Linux tests:
#   windows: the x86_64-pc-windows-gnu target and Debian's mingw-w64 (gcc, objdump for the PE checks)
#   wine:    windows, plus Debian's wine and wine64 to run the Windows test executables
#   macos:   the two Apple targets, cargo-zigbuild and ziglang (PyPI), and LLVM's Mach-O tools
#   musl:    the x86_64 musl target and cargo-zigbuild/ziglang (zig is its C compiler and libc), for
#            the login server as one static binary
#   linux-glibc: cargo-zigbuild/ziglang, which link the shipped Linux libraries against an old glibc
#   linux-arm64: linux-glibc, plus the aarch64-unknown-linux-gnu target
# Usage: scripts/lib/provision-cross-tools.sh windows|wine|macos|musl|linux-glibc|linux-arm64...
set -euo pipefail
apt_need=()
targets=()
pip_need=()
for what in "$@"; do
  case "$what" in
    windows|wine)
      targets+=(x86_64-pc-windows-gnu)
      command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || apt_need+=(gcc-mingw-w64-x86-64)
      # wine64 holds the 64-bit loader; the `wine`, `wineboot` and `wineserver` commands the runner
      # calls come with `wine` (a machine with wine64 alone has none of them).
      if [ "$what" = wine ]; then
        for tool in wine wineboot wineserver; do
          command -v "$tool" >/dev/null 2>&1 || { apt_need+=(wine wine64); break; }
        done
      fi ;;
    macos)
      targets+=(x86_64-apple-darwin aarch64-apple-darwin)
      command -v cargo-zigbuild >/dev/null 2>&1 || pip_need+=(cargo-zigbuild)
      python3 -m ziglang version >/dev/null 2>&1 || pip_need+=(ziglang)
      command -v llvm-otool-14 >/dev/null 2>&1 || command -v llvm-otool >/dev/null 2>&1 || apt_need+=(llvm) ;;
    musl|linux-glibc|linux-arm64)
      [ "$what" = musl ] && targets+=(x86_64-unknown-linux-musl)
      [ "$what" = linux-arm64 ] && targets+=(aarch64-unknown-linux-gnu)
      command -v cargo-zigbuild >/dev/null 2>&1 || pip_need+=(cargo-zigbuild)
      python3 -m ziglang version >/dev/null 2>&1 || pip_need+=(ziglang) ;;
    *) echo "usage: $0 windows|wine|macos|musl|linux-glibc|linux-arm64..." >&2; exit 2 ;;
  esac
done
"$(dirname "$0")/apt-install.sh" --no-recommends "${apt_need[@]}"
installed=$(rustup target list --installed)
for target in "${targets[@]}"; do
  grep -qx "$target" <<<"$installed" || rustup target add "$target" >&2
done
if [ ${#pip_need[@]} -gt 0 ]; then
  echo "[provision] pip install ${pip_need[*]}" >&2
  python3 -m pip install -q "${pip_need[@]}" >&2
  hash -r
fi
