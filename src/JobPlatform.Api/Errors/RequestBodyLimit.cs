namespace JobPlatform.Api.Errors;

/// <summary>
/// The largest request body the api reads (<c>JobPlatform:Api:MaxRequestBodyBytes</c>, 1 MiB by default). Kestrel
/// enforces it while reading; a declared Content-Length over it is refused at once with 413 problem details, on
/// any server (the in-memory test server has no Kestrel limits).
/// </summary>
public static class RequestBodyLimit
{
    public const long DefaultBytes = 1024 * 1024;

    public static long Configure(WebApplicationBuilder builder)
    {
        var limit = builder.Configuration.GetValue<long?>("JobPlatform:Api:MaxRequestBodyBytes") ?? DefaultBytes;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = limit);
        return limit;
    }

    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app, long limit) =>
        app.Use(async (context, next) =>
        {
            // A route may allow more (the bulk enqueue does), through [RequestSizeLimit] metadata.
            var allowed = context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? limit;
            if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
                feature.MaxRequestBodySize = allowed;
            if (context.Request.ContentLength > allowed)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                await Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large.",
                    detail: $"The body is {context.Request.ContentLength:N0} bytes; this route reads at most {allowed:N0} " +
                            "(JobPlatform:Api:MaxRequestBodyBytes). For many jobs, enqueue them in several requests.")
                    .ExecuteAsync(context);
                return;
            }
            await next();
        });
}
