package dev.moat.core;

import dev.moat.core.spi.Backend;
import dev.moat.core.spi.ExecdEndpoint;
import dev.moat.core.spi.SandboxInfo;
import dev.moat.protocol.SandboxState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager's background rounds, once a second: deletes sandboxes past their expiry, marks Failed (and removes)
 * sandboxes whose execd stopped answering and whose processes are gone, and forgets records of sandboxes that ended
 * longer ago than the retention.
 */
final class Housekeeper {

    private static final Logger LOG = LoggerFactory.getLogger(Housekeeper.class);
    private static final Duration ROUND = Duration.ofSeconds(1);
    private static final int HEALTH_EVERY_ROUNDS = 5;

    private final Removals removals;
    private final StateStore store;
    private final Backend backend;
    private final ExecdGateway execd;
    private final Clock clock;
    private final Duration retention;
    private volatile Thread thread;
    private volatile boolean stopped;

    Housekeeper(
            Removals removals, StateStore store, Backend backend, ExecdGateway execd, Clock clock, Duration retention) {
        this.removals = removals;
        this.store = store;
        this.backend = backend;
        this.execd = execd;
        this.clock = clock;
        this.retention = retention;
    }

    void start() {
        thread = Thread.ofVirtual().name("housekeeper").start(this::run);
    }

    private void run() {
        long round = 0;
        while (!stopped) {
            try {
                Thread.sleep(ROUND);
                expire();
                if (++round % HEALTH_EVERY_ROUNDS == 0) {
                    checkHealth();
                }
                forgetEnded();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("housekeeping round failed", e);
            }
        }
    }

    void expire() {
        Instant now = clock.instant();
        for (SandboxRecord record : store.all()) {
            if (record.isLive()
                    && record.state() != SandboxState.Pending
                    && record.expiresAt().filter(expiry -> !expiry.isAfter(now)).isPresent()) {
                LOG.info(
                        "sandbox {} expired at {}",
                        record.id(),
                        record.expiresAt().get());
                removals.delete(
                        record.id(),
                        "ttl_expiry",
                        "expired at " + record.expiresAt().get());
            }
        }
    }

    void checkHealth() {
        for (SandboxRecord record : store.all()) {
            if (record.state() != SandboxState.Running || stopped) {
                continue;
            }
            ExecdEndpoint endpoint;
            try {
                endpoint = backend.execdEndpoint(record.id());
            } catch (RuntimeException e) {
                continue;
            }
            if (execd.ping(endpoint, Duration.ofSeconds(2))) {
                continue;
            }
            Optional<SandboxInfo> info = backend.inspect(record.id());
            boolean paused =
                    info.map(i -> i.state() == SandboxInfo.State.PAUSED).orElse(false);
            boolean stillRunning =
                    info.map(i -> i.state() == SandboxInfo.State.RUNNING).orElse(false);
            // a running container whose execd is slow gets another round before it is declared dead
            if (paused || (stillRunning && execd.ping(endpoint, Duration.ofSeconds(5)))) {
                continue;
            }
            String what = info.map(i -> "its processes are " + i.state().name().toLowerCase(java.util.Locale.ROOT))
                    .orElse("the backend no longer has it");
            if (removals.fail(record.id(), "runtime_error", "execd stopped answering and " + what)) {
                LOG.warn("sandbox {} failed: execd stopped answering and {}", record.id(), what);
            }
        }
    }

    void forgetEnded() {
        Instant horizon = clock.instant().minus(retention);
        for (SandboxRecord record : store.all()) {
            if (!record.isLive()
                    && record.state() != SandboxState.Stopping
                    && record.lastTransitionAt().isBefore(horizon)) {
                store.remove(record.id());
            }
        }
    }

    void stop() {
        stopped = true;
        Thread running = thread;
        if (running != null) {
            running.interrupt();
        }
    }
}
