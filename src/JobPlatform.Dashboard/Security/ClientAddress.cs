using System.Net;
using System.Net.Sockets;

namespace JobPlatform.Dashboard.Security;

/// <summary>A caller's address as a rate-limit partition: IPv4 as it is, IPv6 by its /64 (one subscriber's whole block).</summary>
public static class ClientAddress
{
    public static string PartitionOf(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }
}
