using JobPlatform.Dashboard.Components;

namespace JobPlatform.Tests.Dashboard;

public sealed class CronTextTests
{
    [Theory]
    [InlineData("* * * * *", "every minute")]
    [InlineData("*/5 * * * *", "every 5 minutes")]
    [InlineData("15 * * * *", "every hour at minute 15")]
    [InlineData("0 */6 * * *", "every 6 hours")]
    [InlineData("0 3 * * *", "every day at 03:00")]
    [InlineData("30 8 * * 1-5", "every weekday at 08:30")]
    [InlineData("0 9 * * 1", "every Monday at 09:00")]
    [InlineData("0 9 * * 7", "every Sunday at 09:00")]
    [InlineData("0 0 1 * *", "on day 1 of every month at 00:00")]
    [InlineData("0 0 3 * * *", "every day at 03:00")] // with seconds
    public void Common_expressions_read_as_words(string cron, string words) => Assert.Equal(words, CronText.Describe(cron));

    [Theory]
    [InlineData("0 0 1 1 *")]     // a month
    [InlineData("0 9,17 * * *")]  // a list
    [InlineData("not cron")]
    [InlineData("61 * * * *")]
    public void Other_shapes_have_no_words_rather_than_wrong_ones(string cron) => Assert.Null(CronText.Describe(cron));
}
