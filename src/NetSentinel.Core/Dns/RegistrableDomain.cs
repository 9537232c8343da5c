namespace NetSentinel.Core.Dns;

/// <summary>
/// The registrable domain of a name ("www.bbc.co.uk" → "bbc.co.uk"): the part an owner registers, under which
/// the owner names anything it likes. The baseline learns destinations under it and the tunnelling rule counts
/// names under it.
/// <para>
/// Not the full Public Suffix List (~10,000 rules that change monthly, a file to ship and keep current): the
/// default is that the last label is the public suffix, plus a short table of the second-level suffixes that
/// carry most registrations (co.uk, com.au, ...) and of shared hosting suffixes whose subdomains belong to
/// different owners (github.io, ...). Limits: a name under a public suffix missing from the table is grouped
/// one label too high (e.g. "a.example.kawasaki.jp" → "kawasaki.jp"), which makes the baseline more permissive
/// and the tunnelling rule count more names together for those suffixes — never less strict for the table's ones.
/// </para>
/// </summary>
public static class RegistrableDomain
{
    private static readonly HashSet<string> MultiLabelSuffixes = new(StringComparer.Ordinal)
    {
        // Second-level registries of the largest ccTLDs.
        "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "net.uk", "ltd.uk", "plc.uk", "nhs.uk", "sch.uk",
        "com.au", "net.au", "org.au", "edu.au", "gov.au", "asn.au", "id.au",
        "co.nz", "org.nz", "net.nz", "govt.nz", "ac.nz",
        "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "ad.jp", "ed.jp", "gr.jp", "lg.jp",
        "co.kr", "or.kr", "ne.kr", "go.kr", "ac.kr",
        "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn", "ac.cn",
        "com.hk", "org.hk", "net.hk", "edu.hk", "gov.hk",
        "com.tw", "org.tw", "net.tw", "edu.tw", "gov.tw",
        "com.sg", "org.sg", "net.sg", "edu.sg", "gov.sg",
        "co.in", "net.in", "org.in", "firm.in", "gen.in", "ind.in", "ac.in", "gov.in",
        "com.br", "net.br", "org.br", "gov.br", "edu.br",
        "com.mx", "org.mx", "gob.mx", "edu.mx",
        "com.ar", "org.ar", "gob.ar",
        "co.za", "org.za", "gov.za", "ac.za", "net.za",
        "com.tr", "org.tr", "net.tr", "gov.tr", "edu.tr",
        "co.il", "org.il", "ac.il", "gov.il",
        "com.ru", "org.ru", "net.ru",
        "com.ua", "org.ua", "net.ua",
        "co.id", "or.id", "ac.id", "go.id", "web.id",
        "com.my", "org.my", "net.my", "gov.my", "edu.my",
        "com.ph", "org.ph", "net.ph", "gov.ph", "edu.ph",
        "co.th", "or.th", "ac.th", "go.th", "in.th",
        "com.vn", "net.vn", "org.vn", "gov.vn", "edu.vn",
        "com.pk", "org.pk", "net.pk", "gov.pk", "edu.pk",
        "com.eg", "com.sa", "com.ng", "com.co", "com.pe", "com.ec", "com.uy", "com.ve",
        // Shared hosting: every subdomain is a different owner (the private part of the Public Suffix List).
        "github.io", "gitlab.io", "githubusercontent.com", "herokuapp.com", "appspot.com", "blogspot.com",
        "azurewebsites.net", "cloudapp.net", "cloudfront.net", "netlify.app", "vercel.app", "pages.dev",
        "workers.dev", "web.app", "firebaseapp.com", "s3.amazonaws.com", "elasticbeanstalk.com", "ngrok.io",
        "ngrok-free.app", "duckdns.org", "no-ip.org", "dyndns.org", "trycloudflare.com", "repl.co",
    };

    /// <summary>The registrable domain of <paramref name="name"/> (lower case, no trailing dot); the name itself
    /// when it has a single label or is one of the table's suffixes.</summary>
    public static string Of(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        name = name.TrimEnd('.');
        int last = name.LastIndexOf('.');
        if (last <= 0)
        {
            return name;
        }
        int second = name.LastIndexOf('.', last - 1);
        if (second < 0)
        {
            return name;
        }
        // Longest suffix first: three labels (s3.amazonaws.com), then two (co.uk).
        int third = second > 0 ? name.LastIndexOf('.', second - 1) : -1;
        if (third >= 0 && MultiLabelSuffixes.Contains(name[(third + 1)..]))
        {
            int fourth = third > 0 ? name.LastIndexOf('.', third - 1) : -1;
            return name[(fourth + 1)..];
        }
        if (MultiLabelSuffixes.Contains(name[(second + 1)..]))
        {
            return name[(third + 1)..];
        }
        return name[(second + 1)..];
    }
}
