package io.captainos.core.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.BuildLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloadCacheTest {
    private static final byte[] BODY = "cached payload\n".repeat(50).getBytes(StandardCharsets.UTF_8);
    private static final String BODY_SHA = Sha256.of(BODY);

    @TempDir
    Path root;

    private TestServer server;
    private AtomicInteger calls;
    private DownloadCache cache;

    @BeforeEach
    void start() throws IOException {
        server = new TestServer();
        calls = server.handle("/pkg.deb", (ex, n) -> TestServer.send(ex, 200, BODY));
        cache = new DownloadCache(
                root, new Downloader(BuildLog.silent(), Map.of(), 2, Duration.ofMillis(1)), BuildLog.silent());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void downloadsOnceThenServesFromCache() throws IOException {
        Path first = cache.get(server.uri("/pkg.deb"), "pkg.deb", BODY_SHA);
        assertEquals(root.resolve("sha256").resolve(BODY_SHA).resolve("pkg.deb"), first);
        assertArrayEquals(BODY, Files.readAllBytes(first));
        assertEquals(1, calls.get());

        Path second = cache.get(server.uri("/pkg.deb"), "pkg.deb", BODY_SHA.toUpperCase());
        assertEquals(first, second);
        assertEquals(1, calls.get(), "a cached file must not be downloaded again");
    }

    @Test
    void corruptedCachedFileIsDownloadedAgain() throws IOException {
        Path file = cache.get(server.uri("/pkg.deb"), "pkg.deb", BODY_SHA);
        Files.writeString(file, "corrupted");
        Path again = cache.get(server.uri("/pkg.deb"), "pkg.deb", BODY_SHA);
        assertEquals(file, again);
        assertEquals(2, calls.get());
        assertArrayEquals(BODY, Files.readAllBytes(again));
    }

    @Test
    void digestMismatchIsNotCached() {
        String wrong = "a".repeat(64);
        assertThrows(VerificationException.class, () -> cache.get(server.uri("/pkg.deb"), "pkg.deb", wrong));
        assertFalse(Files.exists(root.resolve("sha256").resolve(wrong).resolve("pkg.deb")));
        assertThrows(VerificationException.class, () -> cache.get(server.uri("/pkg.deb"), "pkg.deb", wrong));
        assertEquals(2, calls.get());
    }

    @Test
    void dirSanitisesParts() {
        assertEquals(
                root.resolve("dists").resolve("deb.debian.org_debian").resolve("trixie"),
                cache.dir("dists", "deb.debian.org/debian", "trixie"));
        assertTrue(cache.dir("..").startsWith(root));
        assertEquals(root, cache.root());
    }

    @Test
    void offlineServesTheCacheAndNamesWhatIsMissing() throws IOException {
        Path first = cache.get(server.uri("/pkg.deb"), "pkg.deb", BODY_SHA);
        DownloadCache offline = new DownloadCache(root, cache.downloader().offline(), BuildLog.silent());
        assertEquals(first, offline.get(server.uri("/pkg.deb"), "pkg.deb", BODY_SHA));
        String other = Sha256.of("other".getBytes(StandardCharsets.UTF_8));
        Downloader.OfflineException e = assertThrows(
                Downloader.OfflineException.class, () -> offline.get(server.uri("/other.deb"), "other.deb", other));
        assertTrue(
                e.getMessage().contains("offline (-o)")
                        && e.getMessage().contains(server.uri("/other.deb").toString())
                        && e.getMessage().contains(other),
                e.getMessage());
        assertThrows(
                Downloader.OfflineException.class,
                () -> offline.downloader().fetch(server.uri("/pkg.deb"), root.resolve("scratch")));
        assertEquals(1, calls.get(), "offline, nothing was asked of the server");
    }

    /** A checksum list is fetched afresh online and kept, so an offline build reads the copy of its last online run. */
    @Test
    void checksumListsAreKeptForOfflineBuilds() throws IOException {
        AtomicInteger sums = server.handle(
                "/v1/SHA256SUMS", (ex, n) -> TestServer.send(ex, 200, "abc  f.tar\n".getBytes(StandardCharsets.UTF_8)));
        DownloadCache offline = new DownloadCache(root, cache.downloader().offline(), BuildLog.silent());
        Downloader.OfflineException never = assertThrows(
                Downloader.OfflineException.class,
                () -> offline.fetchKept(server.uri("/v1/SHA256SUMS"), root.resolve("scratch")));
        assertTrue(
                never.getMessage().contains(server.uri("/v1/SHA256SUMS").toString())
                        && never.getMessage().contains("without -o"),
                never.getMessage());
        assertEquals(0, sums.get());

        assertEquals(
                "abc  f.tar\n",
                new String(
                        cache.fetchKept(server.uri("/v1/SHA256SUMS"), root.resolve("scratch")),
                        StandardCharsets.UTF_8));
        assertEquals(
                "abc  f.tar\n",
                new String(
                        offline.fetchKept(server.uri("/v1/SHA256SUMS"), root.resolve("scratch")),
                        StandardCharsets.UTF_8));
        assertEquals(1, sums.get(), "offline, the kept copy is read and the server is not asked");
        cache.fetchKept(server.uri("/v1/SHA256SUMS"), root.resolve("scratch"));
        assertEquals(2, sums.get(), "online, the list is fetched afresh");
    }
}
