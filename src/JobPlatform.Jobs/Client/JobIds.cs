using System.Buffers.Binary;

namespace JobPlatform.Jobs.Client;

/// <summary>
/// Job ids are version 7 UUIDs (<see cref="Guid.CreateVersion7()"/>): their first 48 bits are the Unix time in
/// milliseconds of the host that enqueued the job, so ids sort by creation, and a range of creation times is (near
/// enough) a range of ids, which the primary key and the job list's indexes can seek to.
/// </summary>
internal static class JobIds
{
    /// <summary>
    /// How far an enqueuing host's clock may be from the database's (which writes <c>created_at</c>) for the job list's
    /// creation filters still to find its jobs: they bound the ids searched by the filter's times widened by this.
    /// </summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromHours(1);

    /// <summary>An id below that of every job created at or after <paramref name="at"/> (by the database's clock).</summary>
    public static Guid LowerBound(DateTimeOffset at) => FirstAt(at.ToUnixTimeMilliseconds() - (long)ClockTolerance.TotalMilliseconds);

    /// <summary>An id above that of every job created before <paramref name="at"/> (by the database's clock).</summary>
    public static Guid UpperBound(DateTimeOffset at) => FirstAt(at.ToUnixTimeMilliseconds() + (long)ClockTolerance.TotalMilliseconds);

    /// <summary>The least id minted at a Unix time in milliseconds (its time, every other bit zero), within the ids' range.</summary>
    private static Guid FirstAt(long unixMilliseconds)
    {
        var milliseconds = Math.Clamp(unixMilliseconds, 0, (1L << 48) - 1);
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, milliseconds << 16);
        return new Guid(bytes, bigEndian: true);
    }
}
