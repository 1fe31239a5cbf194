using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Weir.Services.Hosting;

namespace Weir.Services.Tests;

public sealed class WebServiceTests
{
    [Fact]
    public async Task A_web_service_watches_no_configuration_file_and_roots_itself_in_the_install_folder()
    {
        IConfigurationRoot? configuration = null;
        string? contentRoot = null;
        await using var service = await WebService.StartAsync(
            "watch-test",
            "127.0.0.1:0",
            NullLoggerFactory.Instance,
            null,
            app =>
            {
                configuration = (IConfigurationRoot)app.Configuration;
                contentRoot = app.Environment.ContentRootPath;
            },
            CancellationToken.None);

        // A file provider that reloads on change puts an inotify watch on every folder under the content root.
        Assert.All(configuration!.Providers.OfType<FileConfigurationProvider>(), p => Assert.False(p.Source.ReloadOnChange, p.Source.Path));
        Assert.Equal(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory), Path.TrimEndingDirectorySeparator(contentRoot!));
    }
}
