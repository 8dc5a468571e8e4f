using JobPlatform.Api.Endpoints;
using JobPlatform.Api.Errors;
using JobPlatform.Api.Security;
using JobPlatform.Api.Validation;
using JobPlatform.Jobs.DependencyInjection;
using JobPlatform.Jobs.Storage;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDbContext<JobsDbContext>("jobsdb", settings => settings.ConnectionString = EngineConnectionString.Tune(settings.ConnectionString));
builder.Services.AddJobPlatform();
builder.Services.AddSingleton<PayloadSchemas>();

builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
// Binding failures throw, so ProblemExceptionHandler can name the offending field in every environment.
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
builder.Services.AddOpenApi();
builder.AddApiKeys();
var maxRequestBody = RequestBodyLimit.Configure(builder);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestBodyLimit(maxRequestBody);
app.UseAuthentication();
app.UseAuthorization();

app.MapOpenApi();
app.MapScalarApiReference(options => options.WithTitle("JobPlatform API"));
app.MapDefaultEndpoints();
app.MapJobEndpoints();
app.MapBulkEndpoints();
app.MapSeedEndpoints();
app.MapServerEndpoints();
app.MapScheduleEndpoints();
app.MapQueueEndpoints();
app.MapDemoEndpoints();
app.MapGet("/", () => Results.Redirect("/scalar")).ExcludeFromDescription().AllowAnonymous();

app.Run();

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
