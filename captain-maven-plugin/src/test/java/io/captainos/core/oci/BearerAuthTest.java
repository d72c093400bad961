package io.captainos.core.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.captainos.core.BuildLog;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Bearer flow of registries such as ghcr.io, against a stand-in registry and token service on loopback (our
 * docker-registry speaks htpasswd Basic only): 401 with a challenge, token fetched with Basic credentials and the
 * scope, request repeated with the token.
 */
class BearerAuthTest {
    @Test
    void fetchesATokenForTheScopeWithTheCredentialsAndUsesIt() throws Exception {
        List<String> tokenRequests = new ArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        int port = server.getAddress().getPort();
        String expectedBasic = "Basic " + Base64.getEncoder().encodeToString("bot:s3cr3t".getBytes());
        server.createContext("/token", ex -> {
            tokenRequests.add(URLDecoder.decode(ex.getRequestURI().getRawQuery(), StandardCharsets.UTF_8));
            boolean ok = expectedBasic.equals(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = (ok
                            ? "{\"token\":\"tok-123\"}"
                            : "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"bad" + " login\"}]}")
                    .getBytes();
            ex.sendResponseHeaders(ok ? 200 : 403, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/v2/", ex -> {
            if ("Bearer tok-123".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.getResponseHeaders()
                        .add(
                                "WWW-Authenticate",
                                "Bearer realm=\"http://127.0.0.1:" + port
                                        + "/token\",service=\"test-registry\",scope=\"repository:team/os:pull\"");
                ex.sendResponseHeaders(401, -1);
            }
            ex.close();
        });
        server.start();
        try {
            RegistryClient c = new RegistryClient(
                    "127.0.0.1:" + port,
                    "team/os",
                    new Credentials("bot", "s3cr3t", "test"),
                    new RegistryClient.Options(1, Duration.ofMillis(10), Duration.ofSeconds(10), 1 << 20, 1 << 20),
                    BuildLog.silent());
            assertFalse(c.hasManifest("v1"));
            assertEquals(List.of("service=test-registry&scope=repository:team/os:pull"), tokenRequests);
            assertFalse(c.hasManifest("v2"), "the token was not reused");
            assertEquals(1, tokenRequests.size());

            RegistryClient wrong = new RegistryClient(
                    "127.0.0.1:" + port,
                    "team/os",
                    new Credentials("bot", "wrong", "test"),
                    new RegistryClient.Options(1, Duration.ofMillis(10), Duration.ofSeconds(10), 1 << 20, 1 << 20),
                    BuildLog.silent());
            RegistryException e = assertThrows(RegistryException.class, () -> wrong.hasManifest("v1"));
            assertEquals(403, e.status());
            assertTrue(
                    e.getMessage().contains("DENIED bad login")
                            && !e.getMessage().contains("wrong"),
                    e.getMessage());
        } finally {
            server.stop(0);
        }
    }
}
