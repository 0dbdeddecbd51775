#!/usr/bin/env python3
"""Checks the addon's libraries in a bin folder the way a player's machine will load them, with the
binary tools this machine has (no Windows or Mac here), and prints what it read as evidence.

- Windows (PE, x86_64-w64-mingw32-objdump): imports only Windows system DLLs, plus steam_api64.dll for
  the full library (never the entry library); no MinGW runtime DLL (libgcc_s_seh-1, libwinpthread-1,
  libstdc++-6: "error 126" on players' machines); exports gdext_rust_init.
- macOS (Mach-O, LLVM's lipo/otool/nm): an x86_64 and an arm64 slice; each exports _gdext_rust_init;
  install name @rpath/<file>; LC_RPATH @loader_path; the full library references
  @loader_path/libsteam_api.dylib and the entry library no Steam API; the arm64 slice carries an
  ad-hoc code signature whose page hashes match the file (checked here, as macOS would).
- Linux (ELF, readelf/nm): the machine the file name says (x86_64 or arm64); the entry library needs no
  libsteam_api.so, the full one needs it with RUNPATH $ORIGIN, and the libsteam_api.so beside it is of
  the same machine (bin/ holds x86_64's, bin/linux-arm64/ arm64's); nothing else but glibc's own libraries;
  both export gdext_rust_init; no glibc symbol newer than the floor (2.17, as built by
  scripts/build-addon.sh), so that they load on every Linux a Steam player runs.

Usage: scripts/lib/check-binaries.py <bin dir>   (its subfolders too; exit 1 on any failed check)
"""
import hashlib
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

WINDOWS_SYSTEM_DLLS = {
    "kernel32.dll", "ntdll.dll", "advapi32.dll", "bcrypt.dll", "bcryptprimitives.dll", "ws2_32.dll",
    "userenv.dll", "user32.dll", "shell32.dll", "ole32.dll", "oleaut32.dll", "crypt32.dll",
    "secur32.dll", "ncrypt.dll", "msvcrt.dll", "ucrtbase.dll", "synchronization.dll", "iphlpapi.dll",
    "dbghelp.dll", "psapi.dll", "rpcrt4.dll", "shlwapi.dll",
}

# The newest glibc symbol version a shipped Linux library may need (scripts/build-addon.sh's floor).
GLIBC_FLOOR = (2, 17)
LINUX_SYSTEM_LIBRARIES = {"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1",
                          "libgcc_s.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"}
ELF_MACHINES = {"x86_64": "Advanced Micro Devices X86-64", "arm64": "AArch64"}

failures = []


def fail(path, what):
    failures.append(f"{path.name}: {what}")


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def tool(*names):
    for name in names:
        if shutil.which(name):
            return name
    sys.exit(f"[binaries] none of {', '.join(names)} is installed (scripts/lib/provision-cross-tools.sh)")


def is_full(path):
    return "steam_auth_steam." in path.name


def check_pe(path):
    dump = run(tool("x86_64-w64-mingw32-objdump"), "-p", str(path))
    imports = sorted(set(re.findall(r"DLL Name: (\S+)", dump)), key=str.lower)
    exports = re.findall(r"^\s*\[\s*\d+\]\s+(?:\+base\[\s*\d+\]\s+[0-9a-f]+\s+)?(\S+)$", dump, re.M)
    for dll in imports:
        low = dll.lower()
        if low == "steam_api64.dll":
            if not is_full(path):
                fail(path, "the entry library imports steam_api64.dll (it must load without it)")
        elif low not in WINDOWS_SYSTEM_DLLS and not low.startswith("api-ms-win-"):
            fail(path, f"imports {dll}, which is not a Windows system DLL")
    if is_full(path) and "steam_api64.dll" not in [i.lower() for i in imports]:
        fail(path, "the full library does not import steam_api64.dll")
    if "gdext_rust_init" not in exports:
        fail(path, f"does not export gdext_rust_init (exports: {exports})")
    print(f"[binaries] {path.name}: imports {' '.join(imports)}; exports {' '.join(sorted(exports))}")


def check_elf(path):
    header = run(tool("readelf"), "-hW", str(path))
    machine = re.search(r"Machine:\s+(.+)", header).group(1).strip()
    arch = path.name.split(".")[-2]
    if ELF_MACHINES.get(arch) != machine:
        fail(path, f"its machine is {machine}, but its name says {arch}")
    dynamic = run(tool("readelf"), "-dW", str(path))
    needed = re.findall(r"\(NEEDED\).*\[(.+)\]", dynamic)
    runpath = re.findall(r"\((?:RUNPATH|RPATH)\).*\[(.+)\]", dynamic)
    symbols = run(tool("llvm-nm-14", "llvm-nm", "nm"), "-D", "--defined-only", str(path))
    versions = run(tool("readelf"), "-VW", str(path))
    glibc = sorted(set(re.findall(r"GLIBC_(\d+\.\d+(?:\.\d+)?)", versions)),
                   key=lambda v: tuple(int(x) for x in v.split(".")))
    if is_full(path):
        if "libsteam_api.so" not in needed:
            fail(path, "the full library does not need libsteam_api.so")
        if "$ORIGIN" not in runpath:
            fail(path, f"no RUNPATH $ORIGIN (has {runpath})")
        steam_api = path.parent / "libsteam_api.so"
        steam_machine = (re.search(r"Machine:\s+(.+)", run(tool("readelf"), "-hW", str(steam_api))).group(1).strip()
                         if steam_api.exists() else None)
        if steam_machine != machine:
            fail(path, f"the libsteam_api.so beside it is for {steam_machine or 'nothing (missing)'}, not {machine}")
    elif "libsteam_api.so" in needed:
        fail(path, "the entry library needs libsteam_api.so (it must load without it)")
    if not re.search(r"\bgdext_rust_init$", symbols, re.M):
        fail(path, "does not export gdext_rust_init")
    foreign = [lib for lib in needed if lib not in LINUX_SYSTEM_LIBRARIES and lib != "libsteam_api.so"]
    if foreign:
        fail(path, f"needs {' '.join(foreign)}, which a player's Linux may not have")
    newest = glibc[-1] if glibc else "-"
    if glibc and tuple(int(x) for x in newest.split(".")) > GLIBC_FLOOR:
        floor = ".".join(map(str, GLIBC_FLOOR))
        fail(path, f"needs GLIBC_{newest}, newer than the floor GLIBC_{floor} (build it with scripts/build-addon.sh)")
    print(f"[binaries] {path.name}: {machine}; needs {' '.join(needed)}; runpath {' '.join(runpath) or '-'}; "
          f"newest glibc symbol GLIBC_{newest}; exports gdext_rust_init")


def check_macho(path):
    lipo = tool("llvm-lipo-14", "llvm-lipo")
    otool = tool("llvm-otool-14", "llvm-otool")
    nm = tool("llvm-nm-14", "llvm-nm")
    archs = run(lipo, "-archs", str(path)).split()
    if sorted(archs) != ["arm64", "x86_64"]:
        fail(path, f"slices {archs}, expected x86_64 and arm64")
    with tempfile.TemporaryDirectory() as scratch:
        for arch in archs:
            # Each slice on its own: LLVM 14's otool misreads `-arch` on a fat file.
            thin = Path(scratch) / f"{arch}.dylib"
            run(lipo, str(path), "-thin", arch, "-output", str(thin))
            check_macho_slice(path, arch, thin, otool, nm)


def check_macho_slice(path, arch, thin, otool, nm):
    commands = run(otool, "-l", str(thin))
    install_name = re.search(r"cmd LC_ID_DYLIB.*?name (\S+)", commands, re.S)
    install_name = install_name and install_name.group(1)
    rpaths = re.findall(r"cmd LC_RPATH.*?path (\S+)", commands, re.S)
    linked = [line.split()[0] for line in run(otool, "-L", str(thin)).splitlines()[1:] if line.strip()]
    steam = [lib for lib in linked if "steam_api" in lib]
    if install_name != f"@rpath/{path.name}":
        fail(path, f"{arch}: install name {install_name}, expected @rpath/{path.name}")
    if "@loader_path" not in rpaths:
        fail(path, f"{arch}: no LC_RPATH @loader_path ({rpaths})")
    if is_full(path) and steam != ["@loader_path/libsteam_api.dylib"]:
        fail(path, f"{arch}: the full library references {steam or 'no Steam API'}")
    if not is_full(path) and steam:
        fail(path, f"{arch}: the entry library references {steam}")
    if not re.search(r"\b_gdext_rust_init$", run(nm, "--extern-only", "--defined-only", str(thin)), re.M):
        fail(path, f"{arch}: does not export _gdext_rust_init")
    signed = "; " + check_adhoc_signature(path, thin.read_bytes(), commands) if arch == "arm64" else ""
    print(f"[binaries] {path.name} [{arch}]: install name {install_name}; rpath {' '.join(rpaths)}; "
          f"Steam API {' '.join(steam) or '-'}; exports _gdext_rust_init{signed}")


def check_adhoc_signature(path, data, commands):
    """Reads the slice's LC_CODE_SIGNATURE and checks it as the kernel does for ad-hoc code: a
    CodeDirectory with the ad-hoc flag whose SHA-256 page hashes match the slice."""
    signature = re.search(r"cmd LC_CODE_SIGNATURE.*?dataoff (\d+)\s+datasize (\d+)", commands, re.S)
    if not signature:
        fail(path, "arm64: no LC_CODE_SIGNATURE (arm64 macOS refuses unsigned code)")
        return "unsigned"
    start = int(signature.group(1))
    magic, _length, count = struct.unpack_from(">III", data, start)
    if magic != 0xFADE0CC0:
        fail(path, f"arm64: the signature is not a SuperBlob ({magic:#x})")
        return "bad signature"
    for i in range(count):
        slot, blob = struct.unpack_from(">II", data, start + 12 + 8 * i)
        if slot != 0:
            continue
        cd = start + blob
        (cd_magic, _, _, flags, hash_offset, ident_offset, _, n_code, code_limit, hash_size, hash_type, _,
         page_log) = struct.unpack_from(">IIIIIIIIIBBBB", data, cd)
        if cd_magic != 0xFADE0C02 or hash_type != 2 or hash_size != 32:
            fail(path, "arm64: the CodeDirectory is not SHA-256")
            return "bad signature"
        if not flags & 0x2:
            fail(path, "arm64: the signature is not ad-hoc")
        page = 1 << page_log
        for n in range(n_code):
            chunk = data[n * page: min((n + 1) * page, code_limit)]
            expected = data[cd + hash_offset + 32 * n: cd + hash_offset + 32 * (n + 1)]
            if hashlib.sha256(chunk).digest() != expected:
                fail(path, f"arm64: page {n} does not match its signed hash")
                return "signature does not match"
        identifier = data[cd + ident_offset: data.index(b"\0", cd + ident_offset)].decode()
        return f"ad-hoc signed ({identifier}), {n_code} page hashes match"
    fail(path, "arm64: the signature has no CodeDirectory")
    return "bad signature"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    folder = Path(sys.argv[1])
    checked = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if ".windows." in path.name:
            check_pe(path)
        elif ".macos." in path.name:
            check_macho(path)
        elif ".linux." in path.name:
            check_elf(path)
        else:
            continue
        checked += 1
    if checked == 0:
        failures.append(f"no platform libraries in {folder}")
    for failure in failures:
        print(f"[binaries] FAILED: {failure}", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
