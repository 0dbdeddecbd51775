/* Wine 8.0 (Debian 12's) has no bcryptprimitives.dll ProcessPrng, which Rust's standard library
 * calls for randomness on Windows 10 and later. Windows itself has it; this test-only stand-in, put
 * in the Wine prefix by scripts/lib/wine-runner.sh, forwards it to advapi32's RtlGenRandom
 * (SystemFunction036), which Wine has. Never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
