package io.captainos.core.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloaderTest {
    private static final byte[] BODY = "CaptainOS test payload\n".repeat(100).getBytes(StandardCharsets.UTF_8);
    private static final String BODY_SHA = Sha256.of(BODY);

    @TempDir
    Path dir;

    private TestServer server;

    @BeforeEach
    void start() throws IOException {
        server = new TestServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Downloader downloader(int attempts) {
        return new Downloader(BuildLog.silent(), Map.of(), attempts, Duration.ofMillis(1));
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private void assertNoPartFiles() throws IOException {
        assertTrue(files().stream().noneMatch(n -> n.endsWith(".part")), files().toString());
    }

    @Test
    void downloadsAndVerifies() throws IOException {
        AtomicInteger calls = server.handle("/file.bin", (ex, n) -> TestServer.send(ex, 200, BODY));
        Path target = dir.resolve("sub").resolve("file.bin");
        String sha = downloader(3).download(server.uri("/file.bin"), target, BODY_SHA.toUpperCase());
        assertEquals(BODY_SHA, sha);
        assertArrayEquals(BODY, Files.readAllBytes(target));
        assertEquals(1, calls.get());
        try (Stream<Path> s = Files.list(target.getParent())) {
            assertEquals(List.of(target), s.collect(Collectors.toList()));
        }
    }

    @Test
    void downloadWithoutExpectedDigestReturnsActualDigest() throws IOException {
        server.handle("/file.bin", (ex, n) -> TestServer.send(ex, 200, BODY));
        Path target = dir.resolve("file.bin");
        assertEquals(BODY_SHA, downloader(1).download(server.uri("/file.bin"), target, null));
        assertArrayEquals(BODY, Files.readAllBytes(target));
    }

    @Test
    void fetchReturnsBytesAndLeavesNoScratchFile() throws IOException {
        server.handle("/index", (ex, n) -> TestServer.send(ex, 200, BODY));
        Path scratch = dir.resolve("scratch");
        assertArrayEquals(BODY, downloader(1).fetch(server.uri("/index"), scratch));
        try (Stream<Path> s = Files.list(scratch)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void wrongDigestIsDiscardedAndNotRetried() throws IOException {
        AtomicInteger calls = server.handle("/file.bin", (ex, n) -> TestServer.send(ex, 200, BODY));
        Path target = dir.resolve("file.bin");
        String wrong = "0".repeat(64);
        VerificationException e = assertThrows(
                VerificationException.class, () -> downloader(3).download(server.uri("/file.bin"), target, wrong));
        assertTrue(e.getMessage().contains(wrong), e.getMessage());
        assertTrue(e.getMessage().contains(BODY_SHA), e.getMessage());
        assertFalse(Files.exists(target));
        assertNoPartFiles();
        assertEquals(List.of(), files());
        assertEquals(1, calls.get());
    }

    @Test
    void wrongDigestKeepsAnExistingTargetUntouched() throws IOException {
        server.handle("/file.bin", (ex, n) -> TestServer.send(ex, 200, BODY));
        Path target = dir.resolve("file.bin");
        Files.writeString(target, "old");
        assertThrows(
                VerificationException.class,
                () -> downloader(1).download(server.uri("/file.bin"), target, "1".repeat(64)));
        assertEquals("old", Files.readString(target));
        assertNoPartFiles();
    }

    @Test
    void invalidExpectedDigestFailsBeforeDownloading() {
        AtomicInteger calls = server.handle("/file.bin", (ex, n) -> TestServer.send(ex, 200, BODY));
        CaptainException e = assertThrows(
                CaptainException.class, () -> downloader(1).download(server.uri("/file.bin"), dir.resolve("f"), "abc"));
        assertTrue(e.getMessage().contains("Invalid SHA-256"), e.getMessage());
        assertEquals(0, calls.get());
    }

    @Test
    void notFoundIsFinal() throws IOException {
        AtomicInteger calls = server.handle("/missing", (ex, n) -> TestServer.send(ex, 404, new byte[0]));
        Path target = dir.resolve("missing");
        Downloader.NotFoundException e = assertThrows(
                Downloader.NotFoundException.class, () -> downloader(4).download(server.uri("/missing"), target, null));
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertEquals(1, calls.get());
        assertFalse(Files.exists(target));
        assertNoPartFiles();
    }

    @Test
    void serverErrorsAreRetried() throws IOException {
        AtomicInteger calls = server.handle("/flaky", (ex, n) -> {
            if (n <= 2) {
                TestServer.send(ex, 500, "boom".getBytes(StandardCharsets.UTF_8));
            } else {
                TestServer.send(ex, 200, BODY);
            }
        });
        Path target = dir.resolve("flaky");
        assertEquals(BODY_SHA, downloader(3).download(server.uri("/flaky"), target, BODY_SHA));
        assertEquals(3, calls.get());
        assertArrayEquals(BODY, Files.readAllBytes(target));
        assertNoPartFiles();
    }

    @Test
    void serverErrorsFailAfterAllAttempts() throws IOException {
        AtomicInteger calls = server.handle("/down", (ex, n) -> TestServer.send(ex, 503, new byte[0]));
        Path target = dir.resolve("down");
        CaptainException e =
                assertThrows(CaptainException.class, () -> downloader(2).download(server.uri("/down"), target, null));
        assertTrue(e.getMessage().contains("after 2 attempts"), e.getMessage());
        assertTrue(e.getMessage().contains("HTTP 503"), e.getMessage());
        assertEquals(2, calls.get());
        assertFalse(Files.exists(target));
        assertNoPartFiles();
    }

    @Test
    void truncatedBodyFailsAfterRetriesAndLeavesNoFile() throws IOException {
        AtomicInteger calls = server.handle("/short", (ex, n) -> {
            ex.sendResponseHeaders(200, BODY.length + 1000);
            OutputStream out = ex.getResponseBody();
            out.write(BODY);
            out.flush();
            // closing the exchange with bytes outstanding makes the server drop the connection
        });
        Path target = dir.resolve("short");
        CaptainException e =
                assertThrows(CaptainException.class, () -> downloader(3).download(server.uri("/short"), target, null));
        assertFalse(e instanceof VerificationException, e.toString());
        assertTrue(e.getMessage().contains("after 3 attempts"), e.getMessage());
        assertEquals(3, calls.get());
        assertFalse(Files.exists(target));
        assertNoPartFiles();
        assertEquals(List.of(), files());
    }

    @Test
    void commitReplacesTargetReadableByAll() throws IOException {
        Path from = dir.resolve("a");
        Path to = dir.resolve("b");
        Files.writeString(from, "new");
        Files.writeString(to, "old");
        Files.setPosixFilePermissions(from, PosixFilePermissions.fromString("rw-------"));
        Files2.commit(from, to);
        assertFalse(Files.exists(from));
        assertEquals("new", Files.readString(to));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(to)));
    }

    @Test
    void aStalledDownloadFailsAndIsRetriedInsteadOfHanging() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        byte[] body = "0123456789".getBytes(StandardCharsets.UTF_8);
        try (ServerSocket socket = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket c = socket.accept();
                        int call = calls.incrementAndGet();
                        new Thread(() -> {
                                    try (c) {
                                        c.getInputStream().read(new byte[4096]);
                                        OutputStream o = c.getOutputStream();
                                        o.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n")
                                                .getBytes());
                                        o.write(body, 0, call == 1 ? 3 : body.length); // the first answer stalls
                                        o.flush();
                                        Thread.sleep(call == 1 ? 10_000 : 0);
                                    } catch (Exception ignored) {
                                        // the client hung up
                                    }
                                })
                                .start();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            server.setDaemon(true);
            server.start();
            Downloader d = new Downloader(BuildLog.silent(), Map.of(), 2, Duration.ofMillis(1), Duration.ofMillis(400));
            Path target = dir.resolve("stall.bin");
            String sha = Assertions.assertTimeoutPreemptively(
                    Duration.ofSeconds(6),
                    () -> d.download(URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/f"), target, null));
            assertEquals(Sha256.of(body), sha);
            assertEquals(2, calls.get(), "the stalled attempt was given up and retried");
            assertNoPartFiles();
        }
    }
}
