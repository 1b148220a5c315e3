using System.Net.Sockets;

namespace MusicGen.Assistant.Server.ScaleOut.Tests.Infrastructure;

/// <summary>A loopback TCP port nobody listens on now (the kernel's choice).</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until something accepts connections on the loopback port.</summary>
    public static async Task WaitListeningAsync(int port, TimeSpan timeout, Func<string> whyNot)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < until) { await Task.Delay(50); }
            catch (SocketException) { throw new TimeoutException($"nothing listens on 127.0.0.1:{port} after {timeout.TotalSeconds} s: {whyNot()}"); }
        }
    }
}
