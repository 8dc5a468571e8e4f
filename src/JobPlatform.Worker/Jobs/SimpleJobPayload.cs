using System.ComponentModel.DataAnnotations;

namespace JobPlatform.Worker.Jobs;

/// <param name="Name">Who to greet: 1 to 200 characters.</param>
public sealed record SimpleJobPayload([Required, StringLength(SimpleJobPayload.MaxNameLength)] string Name)
{
    public const int MaxNameLength = 200;
}
