package dev.moat.server;

import dev.moat.core.InMemoryStateStore;
import dev.moat.core.ManagerSettings;
import dev.moat.core.SandboxManager;
import dev.moat.core.SandboxType;
import dev.moat.core.SandboxTypes;
import dev.moat.core.spi.Backend;
import dev.moat.core.spi.BackendSettings;
import dev.moat.core.spi.ResourceLimits;
import dev.moat.http.HttpServer;
import dev.moat.http.Router;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Moat server: the backend, the sandbox manager and the HTTP APIs, started in that order and stopped in
 * the reverse one. Closing it stops accepting requests, then (with {@code AUTO_CLEANUP}) removes every sandbox.
 */
public final class MoatServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MoatServer.class);

    /** The built-in sandbox type. */
    static final SandboxType BASE = new SandboxType(
            "base",
            "moat/base:latest",
            Map.of(),
            new ResourceLimits(1000, 2L * 1024 * 1024 * 1024, 4096),
            Optional.empty(),
            "Debian bookworm with python3 and ipykernel");

    private final ServerLock lock;
    private final Backend backend;
    private final SandboxManager manager;
    private final ExecdClients clients;
    private final HttpServer http;

    private MoatServer(
            ServerLock lock, Backend backend, SandboxManager manager, ExecdClients clients, HttpServer http) {
        this.lock = lock;
        this.backend = backend;
        this.manager = manager;
        this.clients = clients;
        this.http = http;
    }

    /**
     * Starts a server. {@code prepareImages} is called with the images of the pooled types before pools start, so that
     * a first run can build them with visible progress. Takes {@code $MOAT_HOME/server.lock} first: one server per
     * home ({@link ServerLock.Held} otherwise).
     */
    public static MoatServer start(ServerConfig config, ImagePreparation prepareImages) throws Exception {
        ServerLock lock = ServerLock.acquire(config.moatHome());
        try {
            return start(config, prepareImages, lock);
        } catch (Exception | Error e) {
            lock.close();
            throw e;
        }
    }

    private static MoatServer start(ServerConfig config, ImagePreparation prepareImages, ServerLock lock)
            throws Exception {
        Backend backend = createBackend(config);
        LOG.info("backend {}: {}", backend.name(), backend.describe());
        SandboxTypes types = new SandboxTypes(List.of(BASE), config.imageNamespace(), config.imageTag());
        Set<String> pooledImages = new java.util.TreeSet<>();
        for (String name : config.pooledTypes()) {
            pooledImages.add(types.get(name)
                    .orElseThrow(() -> new ConfigException("DEFAULT_SANDBOX_TYPE names '" + name
                            + "', which is not a sandbox type; known types: "
                            + types.all().stream().map(SandboxType::name).toList()))
                    .image());
        }
        try {
            prepareImages.prepare(config.moatHome(), pooledImages);
        } catch (Exception | Error e) {
            backend.close();
            throw e;
        }
        ExecdClients clients = new ExecdClients();
        SandboxManager manager = null;
        try {
            Files.createDirectories(config.mountDir());
            java.util.concurrent.atomic.AtomicReference<SandboxManager> created =
                    new java.util.concurrent.atomic.AtomicReference<>();
            ServerMetrics metrics = new ServerMetrics(() -> created.get().stats());
            manager = new SandboxManager(
                    backend,
                    new InMemoryStateStore(),
                    types,
                    managerSettings(config),
                    new HttpExecdGateway(clients),
                    metrics,
                    Clock.systemUTC());
            created.set(manager);
            manager.start();
            ImageCatalog images =
                    new ImageCatalog(types, backend::images, config.moatHome().resolve("images"));
            HttpServer http = HttpServer.builder(routes(config, manager, clients, metrics, backend, images))
                    .name("moat")
                    .allowEncodedSeparators() // proxied paths are the service's business (%2F included)
                    .tcp(config.host(), config.port())
                    .start();
            LOG.info(
                    "Moat is listening on http://{}:{} ({})",
                    config.host(),
                    http.tcpPort().orElseThrow(),
                    config.authenticated() ? "API key required" : "no authentication");
            return new MoatServer(lock, backend, manager, clients, http);
        } catch (Exception | Error e) {
            if (manager != null) {
                manager.close();
            }
            clients.close();
            backend.close();
            throw e;
        }
    }

    private static Backend createBackend(ServerConfig config) {
        Path runtime = config.runtimeDir()
                .or(() ->
                        Optional.ofNullable(System.getProperty("moat.runtime")).map(Path::of))
                .orElseThrow(() -> new ConfigException(
                        "MOAT_RUNTIME_DIR is not set and this is not a ./moat build: point it at the execd runtime"
                                + " (execd/target/opt-moat)"));
        if (!Files.isRegularFile(runtime.resolve("execd.jar"))) {
            throw new ConfigException("MOAT_RUNTIME_DIR=" + runtime + " holds no execd.jar; build with ./moat");
        }
        BackendSettings settings = new BackendSettings(config.deployment(), config.moatHome(), runtime, config.raw());
        for (Backend.Factory factory : ServiceLoader.load(Backend.Factory.class)) {
            if (factory.deployments().contains(config.deployment())) {
                return factory.create(settings);
            }
        }
        throw new ConfigException("CONTAINER_DEPLOYMENT=" + config.deployment() + ": no backend for it is installed");
    }

    static ManagerSettings managerSettings(ServerConfig config) {
        return new ManagerSettings(
                config.pooledTypes(),
                config.poolSize(),
                config.maxSandboxInstances(),
                config.admissionWait(),
                config.admissionQueue(),
                config.idPrefix(),
                config.mountDir(),
                config.readonlyMounts(),
                config.autoCleanup(),
                "moat",
                config.readyTimeout(),
                config.refillConcurrency(),
                config.maxConcurrentCreates(),
                config.retention());
    }

    private static Router routes(
            ServerConfig config,
            SandboxManager manager,
            ExecdClients clients,
            ServerMetrics metrics,
            Backend backend,
            ImageCatalog images) {
        Router.Builder routes = Router.builder(ServerError.VOCABULARY)
                .maxJsonBytes(config.maxBodyBytes())
                .translate(ServerError::translate)
                .filter(new RequestIdFilter())
                .filter(metrics);
        Optional<ApiKeyFilter> apiKey = config.bearerToken().map(token -> new ApiKeyFilter(token, Set.of("/health")));
        apiKey.ifPresent(routes::filter);
        routes.get("/health", exchange -> {
            Map<String, Object> health = new LinkedHashMap<>();
            health.put("status", "healthy");
            health.put("backend", backend.name());
            health.put(
                    "sandboxes", manager.list().stream().filter(r -> r.isLive()).count());
            exchange.sendJson(200, health);
        });
        routes.get("/metrics", metrics::serve);
        new LifecycleRoutes(manager, config, images).addTo(routes);
        SandboxProxy proxy = new SandboxProxy(
                manager,
                clients,
                (name, value) -> apiKey.map(filter -> filter.isOwnCredential(name, value))
                        .orElse(false));
        routes.any("/sandboxes/{id}/proxy/{port}/**", proxy);
        routes.any("/v1/sandboxes/{id}/proxy/{port}/**", proxy);
        return routes.build();
    }

    public int port() {
        return http.tcpPort().orElseThrow();
    }

    public SandboxManager manager() {
        return manager;
    }

    /** The backend the sandboxes run on; for benchmarks that measure its floors next to the server's figures. */
    public Backend backend() {
        return backend;
    }

    @Override
    public void close() throws Exception {
        LOG.info("Moat is stopping");
        try {
            http.close();
        } finally {
            try {
                manager.close();
                clients.close();
                backend.close();
            } finally {
                lock.close();
            }
        }
    }
}
