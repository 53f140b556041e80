// Loads and saves KashFlowSettings (store 0: one KashFlow account per nopCommerce installation) and
// owns the encryption of the credentials: the page sends plain text, the database keeps cipher text,
// and a blank field means "keep what is stored".
using Nop.Services.Configuration;
using Nop.Services.Security;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Services;

public class KashFlowSettingsManager
{
    private readonly IEncryptionService _encryptionService;
    private readonly ISettingService _settingService;
    private readonly TimeProvider _time;

    public KashFlowSettingsManager(IEncryptionService encryptionService, ISettingService settingService, TimeProvider? time = null)
    {
        _encryptionService = encryptionService;
        _settingService = settingService;
        _time = time ?? TimeProvider.System;
    }

    public Task<KashFlowSettings> LoadAsync() => _settingService.LoadSettingAsync<KashFlowSettings>();

    /// <summary>Saves, recording durably when synchronisation was switched on (and off: see StampSyncWindow).</summary>
    public Task SaveAsync(KashFlowSettings settings)
    {
        StampSyncWindow(settings, _time.GetUtcNow().UtcDateTime);
        return _settingService.SaveSettingAsync(settings);
    }

    /// <summary>
    /// Switched on (on and not stamped yet): SyncOnSinceUtc = now, the floor no catch-up may reach behind.
    /// Switched off: SyncOnSinceUtc cleared, and BackfillFromUtc set to now unless an earlier backfill is
    /// still waiting, so the orders placed while off are offered to the admin rather than posted silently.
    /// </summary>
    public static void StampSyncWindow(KashFlowSettings settings, DateTime nowUtc)
    {
        if (settings.Enabled)
        {
            settings.SyncOnSinceUtc ??= nowUtc;
            return;
        }
        if (settings.SyncOnSinceUtc is not null)
            settings.BackfillFromUtc ??= nowUtc;
        settings.SyncOnSinceUtc = null;
    }

    /// <summary>Widens the waiting backfill to start at <paramref name="fromUtc"/> (never narrows it).</summary>
    public async Task WidenBackfillAsync(DateTime fromUtc)
    {
        var settings = await LoadAsync();
        if (settings.BackfillFromUtc is { } existing && existing <= fromUtc)
            return;
        settings.BackfillFromUtc = fromUtc;
        await _settingService.SaveSettingAsync(settings);
    }

    /// <summary>Decrypts the stored credentials; a value that cannot be decrypted counts as blank.</summary>
    public KashFlowCredentials GetCredentials(KashFlowSettings settings) =>
        new(Decrypt(settings.EncryptedUserName), Decrypt(settings.EncryptedPassword), Decrypt(settings.EncryptedMemorableWord));

    /// <summary>Stores each non-blank new value encrypted; blank (null, empty, whitespace) keeps the old one.</summary>
    public void SetCredentials(KashFlowSettings settings, string? userName, string? password, string? memorableWord)
    {
        if (!string.IsNullOrWhiteSpace(userName))
            settings.EncryptedUserName = _encryptionService.EncryptText(userName.Trim());
        if (!string.IsNullOrWhiteSpace(password))
            settings.EncryptedPassword = _encryptionService.EncryptText(password);
        if (!string.IsNullOrWhiteSpace(memorableWord))
            settings.EncryptedMemorableWord = _encryptionService.EncryptText(memorableWord);
    }

    private string Decrypt(string? cipherText)
    {
        if (string.IsNullOrEmpty(cipherText))
            return string.Empty;
        try
        {
            return _encryptionService.DecryptText(cipherText) ?? string.Empty;
        }
        catch (Exception)
        {
            // wrong key (e.g. SecuritySettings.EncryptionKey changed): the admin must enter it again
            return string.Empty;
        }
    }
}
