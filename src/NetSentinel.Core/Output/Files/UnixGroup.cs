using NetSentinel.Core.Native;

namespace NetSentinel.Core.Output.Files;

/// <summary>Group name → gid through getgrnam_r, so NSS sources (LDAP, sssd) work as they do for chgrp.</summary>
internal static class UnixGroup
{
    private const int GroupStructSize = 64; // struct group: name, passwd, gid, members: 32 bytes on 64-bit glibc
    private const int MaxBufferSize = 1 << 20;

    public static bool IsSupported => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();

    /// <summary>The gid of <paramref name="name"/>, or null when no such group exists (or groups are not a thing here).</summary>
    public static unsafe uint? Find(string name)
    {
        if (!IsSupported || name.Length == 0 || name.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }
        byte* group = stackalloc byte[GroupStructSize];
        for (int size = 1024; size <= MaxBufferSize; size *= 4)
        {
            byte[] buffer = new byte[size];
            fixed (byte* b = buffer)
            {
                void* result = null;
                int error = LibC.GetGrNamR(name, group, b, (nuint)size, &result);
                if (error == LibC.ERANGE) continue;
                if (error != 0 || result == null) return null;
                // gr_gid follows two pointers (gr_name, gr_passwd).
                return *(uint*)(group + (2 * IntPtr.Size));
            }
        }
        return null;
    }
}
