package dev.moat.execd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.moat.http.Json;
import dev.moat.protocol.Metrics;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MetricsTest {

    private static final String PROMETHEUS_ACCEPT =
            "application/openmetrics-text;version=1.0.0;q=0.5," + "text/plain;version=0.0.4;q=0.4,*/*;q=0.1";

    private static ExecdProcess execd;

    @BeforeAll
    static void start() throws Exception {
        execd = ExecdProcess.start();
    }

    @AfterAll
    static void stop() throws Exception {
        execd.close();
    }

    @Test
    void metricsAnswersTheSpecFieldsWithSaneFigures() throws Exception {
        long before = System.currentTimeMillis();
        ExecdClient.Response response = execd.client().get("/metrics");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        Map<String, Object> fields = response.json(new TypeReference<>() {});
        assertThat(fields).containsOnlyKeys("cpu_count", "cpu_used_pct", "mem_total_mib", "mem_used_mib", "timestamp");
        assertSane(response.json(Metrics.class), before);
    }

    @Test
    void prometheusRouteServesTheFiguresInTextFormat() throws Exception {
        ExecdClient.Response response = execd.client().get("/metrics/prometheus");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("text/plain; version=0.0.4");
        Map<String, Double> samples = PrometheusText.parse(response.text());
        assertThat(samples)
                .containsKeys(
                        "moat_sandbox_cpu_count",
                        "moat_sandbox_cpu_used_percent",
                        "moat_sandbox_cpu_usage_seconds_total",
                        "moat_sandbox_memory_limit_bytes",
                        "moat_sandbox_memory_used_bytes",
                        "moat_execd_metrics_watch_streams");
        assertThat(samples.get("moat_sandbox_cpu_count")).isPositive();
        assertThat(samples.get("moat_sandbox_memory_used_bytes"))
                .isPositive()
                .isLessThanOrEqualTo(samples.get("moat_sandbox_memory_limit_bytes"));
    }

    @Test
    void metricsAnswersPrometheusTextOnlyToClientsThatAskForIt() throws Exception {
        ExecdClient.Response scraped = execd.client()
                .send(execd.client().request("GET", "/metrics").headers(h -> h.put("Accept", PROMETHEUS_ACCEPT)));
        assertThat(scraped.header("Content-Type")).startsWith("text/plain");
        assertThat(PrometheusText.parse(scraped.text())).containsKey("moat_sandbox_cpu_used_percent");

        for (String accept : List.of("application/json", "*/*", "application/json, text/plain")) {
            ExecdClient.Response json = execd.client()
                    .send(execd.client().request("GET", "/metrics").headers(h -> h.put("Accept", accept)));
            assertThat(json.header("Content-Type")).as(accept).startsWith("application/json");
            assertThat(json.header("Vary")).isEqualTo("Accept");
        }
    }

    @Test
    void watchSendsAnEventEverySecondAndStopsWhenTheClientLeaves() throws Exception {
        long before = System.currentTimeMillis();
        InputStreamResponseListener listener = new InputStreamResponseListener();
        execd.client().request("GET", "/metrics/watch").send(listener);
        Response response = listener.get(30, TimeUnit.SECONDS);
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getHeaders().get("Content-Type")).startsWith("text/event-stream");

        List<Metrics> events = new ArrayList<>();
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8))) {
            while (events.size() < 3) {
                String line = lines.readLine();
                assertThat(line).as("stream ended early").isNotNull();
                if (!line.isBlank()) {
                    events.add(Json.mapper().readValue(line, Metrics.class));
                }
            }
            assertThat(watchStreams()).isEqualTo(1);
            response.abort(new java.io.IOException("test client leaves"));
        }

        events.forEach(event -> assertSane(event, before));
        assertThat(events).extracting(Metrics::timestamp).isSorted().doesNotHaveDuplicates();
        await().atMost(Duration.ofSeconds(15)).until(() -> watchStreams() == 0);
    }

    private static double watchStreams() throws Exception {
        return PrometheusText.parse(execd.client().get("/metrics/prometheus").text())
                .get("moat_execd_metrics_watch_streams");
    }

    private static void assertSane(Metrics metrics, long notBefore) {
        assertThat(metrics.cpuCount()).isPositive().isLessThanOrEqualTo(onlineCpus());
        assertThat(metrics.cpuUsedPct()).isBetween(0.0, 100.0);
        assertThat(metrics.memTotalMib()).isPositive();
        assertThat(metrics.memUsedMib()).isPositive().isLessThanOrEqualTo(metrics.memTotalMib());
        assertThat(metrics.timestamp()).isBetween(notBefore, System.currentTimeMillis());
    }

    private static double onlineCpus() {
        return HostReader.system().onlineCpus();
    }
}
