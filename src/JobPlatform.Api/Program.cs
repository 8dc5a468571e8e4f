using JobPlatform.Api.Endpoints;
using JobPlatform.Api.Errors;
using JobPlatform.Api.OpenApi;
using JobPlatform.Api.Security;
using JobPlatform.Api.Validation;
using JobPlatform.Dashboard;
using JobPlatform.Jobs.DependencyInjection;
using JobPlatform.Jobs.Storage;
using Scalar.AspNetCore;

// A password's hash for a dashboard user, instead of the api.
if (HashPasswordCommand.TryRun(args, Console.In, Console.Out, Console.Error) is { } exitCode) return exitCode;
// The schema brought up to date by the role that owns it, instead of the api (docker compose's "migrate").
if (await MigrateCommand.TryRunAsync(args, Console.Out, Console.Error) is { } migrated) return migrated;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDbContext<JobsDbContext>("jobsdb", settings =>
{
    settings.ConnectionString = EngineConnectionString.Tune(settings.ConnectionString);
    // A caller waits on every request: with the database down, answer 503 at once (ProblemExceptionHandler)
    // rather than retrying for a minute; the client retries after Retry-After.
    settings.DisableRetry = true;
});
builder.Services.AddJobPlatform();
builder.Services.AddSingleton<PayloadSchemas>();
builder.Services.AddSingleton<IPayloadCheck>(services => services.GetRequiredService<PayloadSchemas>());

builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
// Binding failures throw, so ProblemExceptionHandler can name the offending field in every environment.
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
builder.Services.AddOpenApi(options =>
{
    options.AddDocumentTransformer<ApiKeySecurityTransformer>();
    options.AddOperationTransformer<RequestExamplesTransformer>();
});
builder.AddApiKeys();
builder.AddTelemetryPort();
builder.AddKnownProxies();
builder.AddApiRateLimiting();
builder.AddPersistentDataProtection();
builder.AddJobPlatformDashboard();
builder.Services.AddHostedService<OpenAccessGuard>();
var maxRequestBody = RequestBodyLimit.Configure(builder);

var app = builder.Build();

app.UseKnownProxies();
app.UseTelemetryPort();
app.UseSecurityHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestBodyLimit(maxRequestBody);
app.UseAuthentication();
app.UseDashboardUserForRateLimits();
// After authentication, so that a client is counted by the key it proved, not by a key it merely sent.
app.UseRateLimiter();
app.UseAuthorization();
app.UseAntiforgery(); // the dashboard's forms

// Open, like the reference UI that reads it: they describe the api and hold no data; every call still needs a key.
// The one document, at a fixed path: the default "/openapi/{documentName}.json" answers other names with a
// plain-text 404 of its own instead of problem details.
app.MapOpenApi("/openapi/v1.json").AllowAnonymous();
// The reference UI asks for the key once and sends it with every call it tries.
app.MapScalarApiReference(options => options.WithTitle("JobPlatform API")
    .AddPreferredSecuritySchemes(ApiKeySecurityTransformer.SchemeName)
    .AddApiKeyAuthentication(ApiKeySecurityTransformer.SchemeName, _ => { }))
    .AllowAnonymous();
app.MapDefaultEndpoints();
app.MapJobEndpoints();
app.MapBulkEndpoints();
app.MapSeedEndpoints();
app.MapServerEndpoints();
app.MapScheduleEndpoints();
app.MapQueueEndpoints();
app.MapDemoEndpoints();
app.MapJobPlatformDashboard();
app.MapGet("/", () => Results.Redirect("/scalar")).ExcludeFromDescription().AllowAnonymous();

app.Run();
return 0;

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
