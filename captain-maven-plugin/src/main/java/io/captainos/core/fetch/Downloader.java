package io.captainos.core.fetch;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.http.Http;
import io.captainos.core.http.Retry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one way the build fetches bytes. Every file is written to a temporary file beside its target and moved into
 * place only once it is complete and its SHA-256 matches, so an interrupted or failed download leaves nothing that
 * looks finished. Network errors and server errors are retried with exponential backoff; a missing file (4xx) is
 * not. Large files report progress.
 */
public final class Downloader {
    private static final long PROGRESS_MIN = 8L << 20;
    private final HttpClient client;
    private final BuildLog log;
    private final Retry retry;
    private final Duration idle;
    private final boolean offline;
    private final ScheduledExecutorService watchdogs = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "captain-download-watchdog");
        t.setDaemon(true);
        return t;
    });

    public Downloader(BuildLog log, Map<String, String> environment, int attempts, Duration backoff) {
        this(log, environment, attempts, backoff, Duration.ofSeconds(60));
    }

    /** @param idle how long a download may go without receiving a byte before it counts as failed (and is retried) */
    public Downloader(BuildLog log, Map<String, String> environment, int attempts, Duration backoff, Duration idle) {
        this(log, environment, attempts, backoff, idle, false);
    }

    private Downloader(
            BuildLog log,
            Map<String, String> environment,
            int attempts,
            Duration backoff,
            Duration idle,
            boolean offline) {
        this.offline = offline;
        this.client = Http.client(environment, Duration.ofSeconds(20), HttpClient.Redirect.NORMAL);
        this.retry = new Retry(attempts, backoff);
        this.log = log;
        this.idle = idle;
    }

    public Downloader(BuildLog log) {
        this(log, System.getenv(), 4, Duration.ofSeconds(2));
    }

    /**
     * A downloader for Maven's offline mode ({@code -o}) when {@code offline}: it fetches nothing, and every file must
     * come from the download cache.
     */
    public Downloader(BuildLog log, boolean offline) {
        this(log, System.getenv(), 4, Duration.ofSeconds(2), Duration.ofSeconds(60), offline);
    }

    /** A downloader like this one that fetches nothing. */
    public Downloader offline() {
        return new Downloader(log, Map.of(), retry.attempts(), retry.backoff(), idle, true);
    }

    public boolean isOffline() {
        return offline;
    }

    /** Asked for a file in offline mode: it names the file and what to do. */
    public static final class OfflineException extends CaptainException {
        public OfflineException(String message) {
            super(message);
        }
    }

    private void requireOnline(URI url, Path target) {
        if (offline) {
            throw new OfflineException("Maven is offline (-o) and " + url + " is not in the download cache"
                    + (target == null ? "" : " (" + target + ")") + ": run the build once without -o to fill the"
                    + " cache");
        }
    }

    /** A server answer that is final: retrying will not help. */
    public static final class NotFoundException extends CaptainException {
        NotFoundException(String message) {
            super(message);
        }
    }

    /**
     * Downloads {@code url} to {@code target}. When {@code expectedSha256} is given the file must match it, or it is
     * discarded and the build fails. Returns the SHA-256 of what was written.
     */
    public String download(URI url, Path target, String expectedSha256) {
        requireOnline(url, target);
        String expected = expectedSha256 == null ? null : Sha256.normalize(expectedSha256, url.toString());
        return retry.run(
                "download " + url,
                "Check the network and the mirror setting (captain.debian.mirror,"
                        + " captain.tools.mirror or captain.kernel.mirror; proxies come from http_proxy/https_proxy)",
                log,
                () -> {
                    try {
                        return attempt(url, target, expected);
                    } catch (IOException e) {
                        throw new Retry.Failure(Retry.describe(e), e);
                    }
                });
    }

    /** Downloads a small file into memory (indexes, checksum files), with the same retries. */
    public byte[] fetch(URI url, Path scratchDir) {
        requireOnline(url, null);
        try {
            Files.createDirectories(scratchDir);
            Path tmp = Files2.temporaryFile(scratchDir.resolve("fetch"));
            try {
                download(url, tmp, null);
                return Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new CaptainException("Cannot use scratch folder " + scratchDir + ": " + e.getMessage(), e);
        }
    }

    private String attempt(URI url, Path target, String expected) throws IOException {
        Path tmp = Files2.temporaryFile(target);
        try {
            HttpResponse<InputStream> response;
            try {
                response = client.send(
                        HttpRequest.newBuilder(url)
                                .timeout(Duration.ofMinutes(30))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CaptainException("Interrupted while downloading " + url, e);
            }
            int status = response.statusCode();
            if (status == 404 || status == 410) {
                response.body().close();
                throw new NotFoundException("Cannot download " + url + ": the server answered HTTP " + status
                        + ". Check the version and the mirror URL.");
            }
            if (status == 401 || status == 403 || status == 407) {
                response.body().close();
                throw new CaptainException("Cannot download " + url + ": HTTP " + status
                        + (status == 407
                                ? " (the proxy wants credentials, which are not taken from http_proxy: use Java's"
                                        + " http.proxyUser/http.proxyPassword or a proxy that needs none)"
                                : " (the server refused access: check the mirror URL and its permissions)"));
            }
            if (status != 200) {
                response.body().close();
                throw new IOException("HTTP " + status);
            }
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            MessageDigest digest = Sha256.newDigest();
            long total = 0;
            int reported = 0;
            AtomicLong lastRead = new AtomicLong(System.nanoTime());
            AtomicBoolean stalled = new AtomicBoolean();
            InputStream body = response.body();
            Thread reader = Thread.currentThread();
            ScheduledFuture<?> watchdog = watchdogs.scheduleAtFixedRate(
                    () -> {
                        if (System.nanoTime() - lastRead.get() > idle.toNanos() && stalled.compareAndSet(false, true)) {
                            reader.interrupt(); // the blocked read fails, and the download is retried
                            try {
                                body.close();
                            } catch (IOException ignored) {
                                // closing is all that is wanted
                            }
                        }
                    },
                    Math.max(1, idle.toMillis() / 4),
                    Math.max(1, idle.toMillis() / 4),
                    TimeUnit.MILLISECONDS);
            try (InputStream in = body;
                    OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    lastRead.set(System.nanoTime());
                    out.write(buf, 0, n);
                    digest.update(buf, 0, n);
                    total += n;
                    if (length >= PROGRESS_MIN && total * 4 / length > reported) {
                        reported = (int) (total * 4 / length);
                        log.info(String.format(
                                "  %s: %d%% of %.1f MB", target.getFileName(), reported * 25, length / 1e6));
                    }
                }
            } catch (IOException e) {
                throw stalled.get() ? new IOException("stalled: no data for " + idle.toSeconds() + " s") : e;
            } finally {
                watchdog.cancel(false);
                if (stalled.get()) {
                    Thread.interrupted(); // the interrupt was ours: clear it before the retry waits
                }
            }
            if (stalled.get()) {
                throw new IOException("stalled: no data for " + idle.toSeconds() + " s");
            }
            if (length >= 0 && total != length) {
                throw new IOException("truncated: got " + total + " of " + length + " bytes");
            }
            String actual = Sha256.hex(digest);
            if (expected != null && !expected.equals(actual)) {
                throw VerificationException.digest(target.getFileName().toString(), url.toString(), expected, actual);
            }
            Files2.commit(tmp, target);
            return actual;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
