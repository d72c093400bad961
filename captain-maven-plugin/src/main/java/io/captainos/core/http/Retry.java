package io.captainos.core.http;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import java.time.Duration;

/**
 * How often a network operation is tried and how long to wait between tries: the first wait is {@code backoff}, and
 * each one after doubles it. Shared by downloads and the registry client, so that both retry alike and both say
 * why an attempt failed.
 */
public record Retry(int attempts, Duration backoff) {
    public Retry {
        attempts = Math.max(1, attempts);
    }

    /** One try of the operation; a {@link Failure} is worth another try, anything else ends it at once. */
    @FunctionalInterface
    public interface Attempt<T> {
        T run() throws Failure;
    }

    /** A failure another attempt may not have: an I/O error, a timeout, a 5xx or 429 answer. */
    public static class Failure extends Exception {
        public Failure(String message, Throwable cause) {
            super(message, cause);
        }

        public Failure(String message) {
            super(message);
        }
    }

    /**
     * Runs {@code attempt} until it succeeds or {@link #attempts} have failed; logs each failure with its cause and
     * the wait before the next try.
     *
     * @param what what is being done, a verb first, for the log and the final error ("download https://...")
     * @param hint what to check when it keeps failing, appended to the final error
     */
    public <T> T run(String what, String hint, BuildLog log, Attempt<T> attempt) {
        Failure last = null;
        for (int i = 1; i <= attempts; i++) {
            try {
                return attempt.run();
            } catch (Failure e) {
                last = e;
                if (i < attempts) {
                    long wait = wait(i);
                    log.warn(what + " failed (" + e.getMessage() + "), attempt " + i + " of " + attempts
                            + "; retrying in " + wait + " ms");
                    sleep(wait);
                }
            }
        }
        throw new CaptainException(
                "Cannot " + what + " after " + attempts + " attempts: " + last.getMessage()
                        + (hint.isEmpty() ? "" : ". " + hint),
                last);
    }

    /** The wait after the {@code attempt}-th failure, in milliseconds. */
    public long wait(int attempt) {
        return backoff.toMillis() << Math.min(attempt - 1, 20);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptainException("Interrupted while waiting to try again", e);
        }
    }

    /**
     * What went wrong, never {@code null}: each exception of the chain by its message, or by its kind when it has
     * none (Java's HTTP client throws a {@code ConnectException} without a message for a refused connection).
     */
    public static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        String previous = null;
        for (Throwable c = t; c != null && sb.length() < 500; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && c.getCause() != null && m.equals(c.getCause().toString())) {
                continue; // a wrapper that only repeats its cause
            }
            String part = m == null || m.isBlank() ? kind(c) : m.strip();
            if (part.equals(previous) || (previous != null && previous.contains(part))) {
                continue;
            }
            sb.append(sb.length() == 0 ? "" : ": ").append(part);
            previous = part;
        }
        return sb.toString();
    }

    private static String kind(Throwable t) {
        return switch (t.getClass().getSimpleName()) {
            case "ConnectException" -> "connection refused";
            case "HttpConnectTimeoutException" -> "connection timed out";
            case "HttpTimeoutException" -> "timed out";
            case "UnknownHostException" -> "unknown host";
            case "ClosedChannelException", "EOFException" -> "connection closed";
            default -> t.getClass().getSimpleName();
        };
    }
}
