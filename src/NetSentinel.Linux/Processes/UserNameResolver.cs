using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using NetSentinel.Core.Native;

namespace NetSentinel.Linux.Processes;

/// <summary>
/// uid → user name through getpwuid_r, so NSS sources (LDAP, systemd-homed) work like they do for ps.
/// Names are cached for the life of the resolver: accounts are renamed far less often than we look them up.
/// </summary>
public sealed class UserNameResolver
{
    // struct passwd is 48 bytes on 64-bit glibc; pw_name is its first field.
    private const int PasswdStructSize = 64;
    private const int MaxBufferSize = 1 << 20;

    private readonly ConcurrentDictionary<long, string?> _names = new();

    /// <summary>The user name for <paramref name="uid"/>, or null when the uid has no account (or is negative).</summary>
    public string? Resolve(long uid)
    {
        if (uid < 0 || uid > uint.MaxValue) return null;
        return _names.GetOrAdd(uid, static u => Lookup((uint)u));
    }

    private static unsafe string? Lookup(uint uid)
    {
        byte* passwd = stackalloc byte[PasswdStructSize];
        for (int size = 1024; size <= MaxBufferSize; size *= 4)
        {
            byte[] buffer = new byte[size];
            fixed (byte* b = buffer)
            {
                void* result = null;
                int error = LibC.GetPwUidR(uid, passwd, b, (nuint)size, &result);
                if (error == LibC.ERANGE) continue;
                if (error != 0 || result == null) return null;
                byte* name = *(byte**)passwd;
                if (name == null) return null;
                return Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(name));
            }
        }
        return null;
    }
}
