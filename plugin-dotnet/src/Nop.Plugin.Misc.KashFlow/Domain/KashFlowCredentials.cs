// The three KashFlow secrets, decrypted, held only in memory while building the engine configuration.
// ToString never shows them (records print their members by default).
namespace Nop.Plugin.Misc.KashFlow.Domain;

public sealed record KashFlowCredentials(string UserName, string Password, string MemorableWord)
{
    public static readonly KashFlowCredentials Empty = new(string.Empty, string.Empty, string.Empty);

    public bool IsComplete => UserName.Length > 0 && Password.Length > 0 && MemorableWord.Length > 0;

    public override string ToString() => $"KashFlowCredentials {{ UserName = {(UserName.Length > 0 ? "set" : "blank")}, Password = ***, MemorableWord = *** }}";
}
