package io.captainos.core.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.fetch.Sha256;
import io.captainos.testing.Prerequisite;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client honours {@code http_proxy}/{@code no_proxy} as downloads do: a release engineer behind a
 * proxy can publish. The registry is named by a host that does not resolve, so only a proxy can reach it; the
 * "proxy" is the real docker-registry itself, which answers the absolute URLs a forward proxy receives.
 */
class RegistryProxyTest {
    @TempDir
    Path dir;

    @Test
    void aPushGoesThroughTheProxyOfTheEnvironment() throws Exception {
        Prerequisite.require(
                Files.isExecutable(LocalRegistry.BINARY),
                LocalRegistry.BINARY + " is missing: apt-get install docker-registry");
        try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"), false)) {
            String name = "registry.proxied.test:" + registry.port;
            Map<String, String> env =
                    Map.of("http_proxy", "http://127.0.0.1:" + registry.port, "no_proxy", "other.test");
            RegistryClient client = new RegistryClient(
                    "http://" + name,
                    "captain/proxied",
                    null,
                    RegistryClient.Options.defaults(),
                    BuildLog.silent(),
                    env);
            byte[] bytes = "through the proxy".getBytes(StandardCharsets.UTF_8);
            Path blob = Files.write(dir.resolve("blob"), bytes);
            String digest = "sha256:" + Sha256.of(bytes);
            client.pushBlob(blob, digest, List.of());
            assertTrue(client.hasBlob(digest), "pushed and found through the proxy");
            // Without the proxy the name does not resolve: the client really went through it.
            RegistryClient direct = new RegistryClient(
                    "http://" + name,
                    "captain/proxied",
                    null,
                    new RegistryClient.Options(1, Duration.ofMillis(1), Duration.ofSeconds(5), 1 << 20, 1 << 20),
                    BuildLog.silent(),
                    Map.of("http_proxy", "http://127.0.0.1:" + registry.port, "no_proxy", "registry.proxied.test"));
            CaptainException e = assertThrows(CaptainException.class, () -> direct.hasBlob(digest));
            assertTrue(
                    e.getMessage().contains("unknown host") || e.getMessage().contains("registry.proxied.test"),
                    e.getMessage());
        }
    }

    @Test
    void aRefusedConnectionIsNamedNotNull() {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        RegistryClient client = new RegistryClient(
                "127.0.0.1:" + closed,
                "captain/x",
                null,
                new RegistryClient.Options(2, Duration.ofMillis(1), Duration.ofSeconds(5), 1 << 20, 1 << 20),
                BuildLog.silent(),
                Map.of());
        CaptainException e = assertThrows(CaptainException.class, () -> client.hasBlob("sha256:" + "0".repeat(64)));
        assertTrue(
                e.getMessage().contains("connection refused") && !e.getMessage().contains("null"), e.getMessage());
        assertTrue(e.getMessage().contains("after 2 attempts"), e.getMessage());
        assertEquals(
                -1, e.getMessage().indexOf("java.net."), "the cause in words, not a class name: " + e.getMessage());
    }
}
