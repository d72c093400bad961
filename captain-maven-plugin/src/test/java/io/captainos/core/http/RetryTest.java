package io.captainos.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.CaptainException;
import io.captainos.testing.RecordingLog;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTest {
    @Test
    void retriesWithDoublingWaitsUntilItSucceeds() {
        RecordingLog log = new RecordingLog();
        AtomicInteger calls = new AtomicInteger();
        String r = new Retry(4, Duration.ofMillis(1)).run("fetch x", "", log, () -> {
            if (calls.incrementAndGet() < 3) {
                throw new Retry.Failure("HTTP 503");
            }
            return "ok";
        });
        assertEquals("ok", r);
        assertEquals(3, calls.get());
        assertEquals(
                List.of(
                        "WARN fetch x failed (HTTP 503), attempt 1 of 4; retrying in 1 ms",
                        "WARN fetch x failed (HTTP 503), attempt 2 of 4; retrying in 2 ms"),
                log.lines);
        assertEquals(8, new Retry(5, Duration.ofMillis(2)).wait(3));
    }

    @Test
    void givesUpWithTheLastCauseAndTheHint() {
        CaptainException e = assertThrows(
                CaptainException.class,
                () -> new Retry(2, Duration.ofMillis(1))
                        .run("download https://m/x", "Check captain.debian.mirror", new RecordingLog(), () -> {
                            throw new Retry.Failure("connection refused");
                        }));
        assertEquals(
                "Cannot download https://m/x after 2 attempts: connection refused. Check captain.debian.mirror",
                e.getMessage());
    }

    @Test
    void aFailureThatIsNotRetryableEndsAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        assertThrows(
                IllegalStateException.class,
                () -> new Retry(5, Duration.ofMillis(1)).run("x", "", new RecordingLog(), () -> {
                    calls.incrementAndGet();
                    throw new IllegalStateException("HTTP 404");
                }));
        assertEquals(1, calls.get());
    }

    @Test
    void describeNeverSaysNull() {
        assertEquals("connection refused", Retry.describe(new ConnectException()));
        assertEquals("connection refused", Retry.describe(new IOException(new ConnectException())));
        assertEquals("HTTP 500: disk full", Retry.describe(new IOException("HTTP 500", new IOException("disk full"))));
        assertTrue(Retry.describe(new IOException((String) null)).equals("IOException"));
    }
}
