namespace JobPlatform.Api.Security;

public static class SecurityHeaders
{
    /// <summary>
    /// Headers every answer carries: no content sniffing, never framed (clickjacking the dashboard's buttons), no
    /// referrer leaving the site, its own browsing context. Scripts are not restricted by a CSP here because the API
    /// reference page (Scalar) loads its own.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // Set as the answer starts, over whatever else set them (antiforgery sets X-Frame-Options: SAMEORIGIN).
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = "frame-ancestors 'none'";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(context);
    });
}
