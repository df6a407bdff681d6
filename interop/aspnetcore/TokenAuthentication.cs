using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Hubspec.Interop.AspNetCore;

/// <summary>
/// Issues and checks the bearer tokens of /conformance-auth: "base64url(user).base64url(HMAC-SHA256(user))"
/// under a key made at start-up, so a token is only good for this process.
/// </summary>
public sealed class TokenIssuer : ITokenIssuer
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Issue(string user)
    {
        var userBytes = Encoding.UTF8.GetBytes(user);
        return $"{Base64Url(userBytes)}.{Base64Url(HMACSHA256.HashData(_key, userBytes))}";
    }

    /// <summary>The user a token was issued for, or null when it is not one of ours.</summary>
    public string? Validate(string token)
    {
        var dot = token.IndexOf('.');
        if (dot <= 0) return null;
        try
        {
            var userBytes = Convert.FromBase64String(FromBase64Url(token[..dot]));
            var mac = Convert.FromBase64String(FromBase64Url(token[(dot + 1)..]));
            return CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(_key, userBytes))
                ? Encoding.UTF8.GetString(userBytes) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return padded + new string('=', (4 - padded.Length % 4) % 4);
    }
}

/// <summary>
/// Accepts "Authorization: Bearer T", and "access_token=T" in the query of WebSocket and
/// Server-Sent Events requests (which cannot carry headers in browsers, NEG-033/NEG-034).
/// </summary>
public sealed class HubspecTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TokenIssuer issuer)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "HubspecToken";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = BearerToken() ?? QueryToken();
        if (token is null) return Task.FromResult(AuthenticateResult.NoResult());
        var user = issuer.Validate(token);
        if (user is null) return Task.FromResult(AuthenticateResult.Fail("invalid token"));
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, user), new Claim(ClaimTypes.Name, user)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    private string? BearerToken()
    {
        var header = Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    private string? QueryToken()
    {
        var isWebSocket = Context.WebSockets.IsWebSocketRequest;
        var isEventStream = Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.Ordinal);
        var token = Request.Query["access_token"].ToString();
        return (isWebSocket || isEventStream) && token.Length > 0 ? token : null;
    }
}
