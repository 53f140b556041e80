namespace Nop.Services.Security;

public partial interface IEncryptionService
{
    string EncryptText(string plainText, string encryptionPrivateKey = "");

    string DecryptText(string cipherText, string encryptionPrivateKey = "");
}
