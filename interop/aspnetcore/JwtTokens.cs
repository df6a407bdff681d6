using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Hubspec.Interop.AspNetCore;

/// <summary>Hands out the bearer tokens that /token and the /redirect endpoint give clients.</summary>
public interface ITokenIssuer
{
    string Issue(string user);
}

/// <summary>
/// --jwt: signed JSON Web Tokens checked by Microsoft's JwtBearer handler, as production
/// services do (issue 12): HS256 under a key made at start-up, issuer and audience checked,
/// and the token read from access_token in the query of WebSocket and Server-Sent Events
/// requests, the way Microsoft's SignalR authentication docs show it.
/// </summary>
public sealed class JwtIssuer : ITokenIssuer
{
    private const string Issuer = "hubspec-aspnetcore-peer";
    private const string Audience = "hubspec";
    private readonly SymmetricSecurityKey _key = new(RandomNumberGenerator.GetBytes(32));

    public string Issue(string user) => Create(user, DateTime.UtcNow, DateTime.UtcNow.AddMinutes(30));

    /// <summary>A token that expired an hour ago, beyond JwtBearer's five-minute clock skew.</summary>
    public string IssueExpired(string user) => Create(user, DateTime.UtcNow.AddHours(-2), DateTime.UtcNow.AddHours(-1));

    public void Configure(JwtBearerOptions options)
    {
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKey = _key,
            NameClaimType = ClaimTypes.Name,
        };
        options.Events = new JwtBearerEvents
        {
            OnMessageReceived = context =>
            {
                var request = context.Request;
                var isEventStream = request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.Ordinal);
                var token = request.Query["access_token"].ToString();
                if (token.Length > 0 && (context.HttpContext.WebSockets.IsWebSocketRequest || isEventStream))
                    context.Token = token;
                return Task.CompletedTask;
            },
        };
    }

    private string Create(string user, DateTime notBefore, DateTime expires) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user), new Claim(ClaimTypes.Name, user)]),
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expires,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
}
