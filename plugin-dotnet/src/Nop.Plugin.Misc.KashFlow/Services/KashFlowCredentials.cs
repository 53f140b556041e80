// The three KashFlow secrets, decrypted, held only in memory while building the engine configuration.
// ToString never shows them (records print their members by default).
namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed record KashFlowCredentials(string UserName, string Password, string MemorableWord)
{
    public static readonly KashFlowCredentials Empty = new(string.Empty, string.Empty, string.Empty);

    public bool IsComplete => UserName.Length > 0 && Password.Length > 0 && MemorableWord.Length > 0;

    /// <summary>Replaces any secret that appears in <paramref name="text"/> (defence in depth for log lines).</summary>
    public string Redact(string text)
    {
        foreach (var secret in new[] { Password, MemorableWord })
            if (secret.Length >= 3)
                text = text.Replace(secret, "***", StringComparison.Ordinal);
        return text;
    }

    public override string ToString() => $"KashFlowCredentials {{ UserName = {(UserName.Length > 0 ? "set" : "blank")}, Password = ***, MemorableWord = *** }}";
}
