package dev.moat.server;

import dev.moat.core.ManagerListener;
import dev.moat.core.ManagerStats;
import dev.moat.http.Exchange;
import dev.moat.http.Filter;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The server's Prometheus metrics: sandboxes by state, pool fill, the admission queue, create and hand-out latency,
 * and requests and errors by route. Serves {@code GET /metrics} in the text exposition format.
 */
final class ServerMetrics implements ManagerListener, Filter {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram readyLatency;
    private final Counter createFailures;
    private final Counter requests;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    ServerMetrics(Supplier<ManagerStats> stats) {
        readyLatency = Histogram.builder()
                .name("moat_sandbox_ready_seconds")
                .help("Time from a create request until the sandbox is usable, by source (pool or cold)")
                .labelNames("source")
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .register(registry);
        createFailures = Counter.builder()
                .name("moat_sandbox_create_failures_total")
                .help("Sandboxes that could not be created")
                .register(registry);
        requests = Counter.builder()
                .name("moat_http_requests_total")
                .help("HTTP requests by route template, method and status class")
                .labelNames("route", "method", "status")
                .register(registry);
        GaugeWithCallback.builder()
                .name("moat_sandboxes")
                .help("Sandboxes known to the server by state (pool members included)")
                .labelNames("state")
                .callback(
                        callback -> stats.get().byState().forEach((state, count) -> callback.call(count, state.name())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("moat_pool_ready")
                .help("Warm sandboxes ready to hand out, by type")
                .labelNames("type")
                .callback(callback -> stats.get().pools().forEach((type, pool) -> callback.call(pool.ready(), type)))
                .register(registry);
        GaugeWithCallback.builder()
                .name("moat_pool_target")
                .help("Warm sandboxes each pool is kept at (POOL_SIZE)")
                .labelNames("type")
                .callback(callback -> stats.get().pools().forEach((type, pool) -> callback.call(pool.target(), type)))
                .register(registry);
        GaugeWithCallback.builder()
                .name("moat_pool_making")
                .help("Warm sandboxes being created for each pool right now")
                .labelNames("type")
                .callback(callback -> stats.get().pools().forEach((type, pool) -> callback.call(pool.making(), type)))
                .register(registry);
        GaugeWithCallback.builder()
                .name("moat_sandbox_capacity")
                .help("Cap on live sandboxes, warm ones included (MAX_SANDBOX_INSTANCES); 0 = unlimited")
                .callback(callback -> callback.call(stats.get().capacity()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("moat_admission_waiting")
                .help("Create requests waiting for a free place (MAX_SANDBOX_INSTANCES)")
                .callback(callback -> callback.call(stats.get().waiting()))
                .register(registry);
    }

    @Override
    public void sandboxReady(Duration latency, boolean fromPool) {
        readyLatency.labelValues(fromPool ? "pool" : "cold").observe(latency.toNanos() / 1e9);
    }

    @Override
    public void sandboxFailed(String reason) {
        createFailures.inc();
    }

    /** Counts every request once it completes, labelled with the route template it matched. */
    @Override
    public void check(Exchange exchange) {
        org.eclipse.jetty.server.Request request = exchange.request();
        org.eclipse.jetty.server.Request.addCompletionListener(request, failure -> {
            Object route = request.getAttribute(dev.moat.http.Router.ROUTE_ATTRIBUTE);
            int status = exchange.response().getStatus();
            requests.labelValues(route == null ? "unmatched" : route.toString(), exchange.method(), status / 100 + "xx")
                    .inc();
        });
    }

    void serve(Exchange exchange) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out, registry.scrape(), EscapingScheme.DEFAULT);
        exchange.send(200, writer.getContentType(), out.toByteArray());
    }
}
