namespace JobPlatform.Jobs.Storage;

/// <summary>
/// The row of <c>token_guard</c>, an unlogged table: PostgreSQL empties it when it recovers from a crash (or a standby
/// is promoted), exactly when the token sequence may have gone back. Claims hand out fencing tokens only while the
/// row is there (see <see cref="JobStore.GuardFencingTokensAsync"/>).
/// </summary>
public sealed class TokenGuardRecord
{
    public int Id { get; set; }
}
