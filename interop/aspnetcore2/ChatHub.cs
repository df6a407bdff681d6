using Microsoft.AspNetCore.SignalR;

namespace Hubspec.Interop.AspNetCore2;

/// <summary>The /chat endpoint of the contract: the classic tutorial hub.</summary>
public sealed class ChatHub : Hub
{
    public Task SendMessage(string user, string message) => Clients.All.SendAsync("ReceiveMessage", user, message);
}
