package dev.moat.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.moat.core.spi.SandboxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The bound on concurrent creations, and closing: no new creation starts, and those under way are waited for. */
class CreationsTest {

    @Test
    void noMoreThanTheLimitRunAtOnceAndTheRestWaitTheirTurn() throws Exception {
        Creations creations = new Creations(3);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            threads.add(Thread.ofVirtual()
                    .start(() -> creations.run(() -> {
                        mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return inside.decrementAndGet();
                    })));
        }
        await().until(() -> inside.get() == 3 && creations.underWay() == 10);

        release.countDown();
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(mostInside).hasValue(3);
        assertThat(creations.underWay()).isZero();
    }

    @Test
    void closeWaitsForCreationsUnderWayAndRefusesNewOnes() throws Exception {
        Creations creations = new Creations(2);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread creating = Thread.ofVirtual()
                .start(() -> creations.run(() -> {
                    started.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return "made";
                }));
        started.await();

        assertThat(creations.close(Duration.ofMillis(100)))
                .as("still under way")
                .isFalse();
        assertThatThrownBy(() -> creations.run(() -> "late"))
                .isInstanceOfSatisfying(
                        SandboxException.class, e -> assertThat(e.kind()).isEqualTo(SandboxException.Kind.UNAVAILABLE));
        release.countDown();
        assertThat(creations.close(Duration.ofSeconds(10))).isTrue();
        creating.join();
    }
}
