using Weir.Cli.Hosting;
using Weir.Services.Http;
using Weir.Services.Jobs;
using Weir.Services.Rtls;

namespace Weir.Cli.Up;

/// <summary>Everything `weir up` starts, in start order. Each issue adds its components here.</summary>
internal static class UpComponents
{
    public static IReadOnlyList<UpComponent> Create(WeirContext context)
    {
        // Routes that parts of Weir add to the Weir HTTP host (jobs API, live feeds).
        var httpModules = new List<IEndpointModule> { new JobsEndpointModule() };

        var broker = new BrokerComponent(context);
        var factoryApi = new FactoryApiComponent(context);
        var factory = new FactoryWiring(context, broker, factoryApi);
        var sensors = new SensorPipelineWiring(context, broker);
        var rtlsFeed = new RtlsFeedHub();
        var rtls = new RtlsJobComponent(sensors, rtlsFeed);
        httpModules.Add(new RtlsFeedModule(rtlsFeed, () => rtls.Anchors));

        return
        [
            broker,
            new HttpComponent(context, httpModules),
            factoryApi,
            new FactoryProducerComponent(context, factory),
            new FactorySinkComponent(context, factory),
            new ChallengerComponent(context),
            PlantSideComponent.Producer(context),
            PlantSideComponent.Consumer(context),
            new PlantWorkloadComponent(context),
            new LpbfComponent(context),
            new FingerprintGeneratorComponent(sensors),
            new FingerprintJobComponent(sensors),
            new FingerprintSaverComponent(sensors),
            new RtlsSimulatorComponent(sensors),
            rtls,
        ];
    }
}
