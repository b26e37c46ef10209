package dev.moat.execd;

import dev.moat.http.EventStream;
import dev.moat.http.Exchange;
import dev.moat.http.Router;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The metrics routes of execd:
 *
 * <ul>
 *   <li>{@code GET /metrics}: the sandbox's {@code Metrics} as JSON; as Prometheus text instead when the
 *       {@code Accept} header asks for {@code text/plain} or {@code application/openmetrics-text} and not for
 *       {@code application/json} (so a Prometheus scraper can use the same URL while JSON clients see no change);
 *   <li>{@code GET /metrics/watch}: an event stream of one {@code Metrics} JSON line per second, the CPU use measured
 *       over that second, until the client leaves;
 *   <li>{@code GET /metrics/prometheus}: the same figures in the Prometheus text format, always.
 * </ul>
 */
final class MetricsRoutes {

    private static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);

    private final MetricsSampler sampler;
    private final AtomicInteger watchStreams = new AtomicInteger();

    MetricsRoutes(MetricsSampler sampler) {
        this.sampler = sampler;
    }

    void register(Router.Builder routes) {
        routes.get("/metrics", this::metrics);
        routes.get("/metrics/watch", this::watch);
        routes.get("/metrics/prometheus", this::prometheus);
    }

    private void metrics(Exchange exchange) throws Exception {
        exchange.header("Vary", "Accept");
        if (wantsPrometheus(exchange.header("Accept").orElse(""))) {
            prometheus(exchange);
        } else {
            exchange.sendJson(200, sampler.snapshot().metrics());
        }
    }

    static boolean wantsPrometheus(String accept) {
        String lower = accept.toLowerCase(Locale.ROOT);
        return (lower.contains("text/plain") || lower.contains("application/openmetrics-text"))
                && !lower.contains("application/json");
    }

    private void prometheus(Exchange exchange) throws Exception {
        MetricsSampler.Sample sample = sampler.snapshot();
        MetricsSampler.Reading reading = sample.reading();
        PrometheusFormat text = new PrometheusFormat()
                .gauge(
                        "moat_sandbox_cpu_count",
                        "CPUs the sandbox may use: its cgroup CPU quota in cores, else the online CPUs.",
                        reading.cpuCount())
                .gauge(
                        "moat_sandbox_cpu_used_percent",
                        "CPU use of the sandbox over the last interval, in percent of moat_sandbox_cpu_count.",
                        sample.cpuUsedPct());
        reading.cpuUsageNanos()
                .ifPresent(nanos -> text.counter(
                        "moat_sandbox_cpu_usage_seconds_total",
                        "CPU time used by the sandbox's cgroup (by the whole machine where the cgroup has no CPU"
                                + " accounting).",
                        nanos / 1e9));
        text.gauge(
                        "moat_sandbox_memory_limit_bytes",
                        "Memory the sandbox may use: its cgroup memory limit, else the machine's memory.",
                        reading.memoryTotalBytes())
                .gauge(
                        "moat_sandbox_memory_used_bytes",
                        "Memory the sandbox uses, without page cache the kernel can reclaim at once.",
                        reading.memoryUsedBytes())
                .gauge(
                        "moat_execd_metrics_watch_streams",
                        "Clients currently watching /metrics/watch.",
                        watchStreams.get());
        exchange.sendText(200, PrometheusFormat.CONTENT_TYPE, text.text());
    }

    /** Sends the figures every second until the client goes away; nothing runs on after that. */
    private void watch(Exchange exchange) throws Exception {
        CountDownLatch gone = new CountDownLatch(1);
        watchStreams.incrementAndGet();
        try (EventStream stream = exchange.eventStream()) {
            stream.onClientGone(gone::countDown);
            MetricsSampler.Reading previous = sampler.read();
            boolean open = stream.send(sampler.snapshot().metrics());
            while (open && !gone.await(WATCH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) {
                MetricsSampler.Reading now = sampler.read();
                open = stream.send(MetricsSampler.between(previous, now).metrics());
                previous = now;
            }
        } finally {
            watchStreams.decrementAndGet();
        }
    }
}
