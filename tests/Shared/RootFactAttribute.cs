namespace NetSentinel.Tests.Shared;

/// <summary>
/// A fact that needs root (BPF, network namespaces, other users' /proc). When not root it is skipped
/// with a reason, unless NETSENTINEL_REQUIRE_ROOT_TESTS=1 (set by CI), where it runs and so fails loudly:
/// CI must never pass by skipping the tests that matter.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!IsRoot && Environment.GetEnvironmentVariable("NETSENTINEL_REQUIRE_ROOT_TESTS") != "1")
            Skip = "needs root (run the tests with sudo, or as root in CI)";
    }

    public static bool IsRoot => OperatingSystem.IsLinux() && Environment.UserName == "root";
}
