package io.captainos.core.oci;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A loopback HTTP proxy in front of a real registry that answers 500 to the first {@code failures} requests
 * matching a rule (and, when asked, corrupts blob downloads) and passes everything else through: the registry
 * misbehaving, the rest of it real.
 */
final class FlakyProxy implements AutoCloseable {
    private static final Set<String> HOP =
            Set.of("host", "connection", "content-length", "transfer-encoding", "expect", "upgrade");
    private final HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    final AtomicInteger injected = new AtomicInteger();
    /** When set, blob downloads arrive with their first byte changed. */
    volatile boolean corruptBlobs;

    FlakyProxy(String upstream, Predicate<HttpExchange> rule, int failures) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String self = address();
        server.createContext("/", ex -> {
            try (ex) {
                byte[] body = ex.getRequestBody().readAllBytes();
                if (rule.test(ex) && injected.get() < failures) {
                    injected.incrementAndGet();
                    byte[] err = "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"injected failure\"}]}".getBytes();
                    ex.sendResponseHeaders(500, err.length);
                    ex.getResponseBody().write(err);
                    return;
                }
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + upstream + ex.getRequestURI()))
                        .method(
                                ex.getRequestMethod(),
                                body.length == 0
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofByteArray(body));
                ex.getRequestHeaders().forEach((k, vs) -> {
                    if (!HOP.contains(k.toLowerCase())) {
                        vs.forEach(v -> b.header(k, v));
                    }
                });
                HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                r.headers().map().forEach((k, vs) -> {
                    if (!HOP.contains(k.toLowerCase()) && !k.equals(":status")) {
                        for (String v : vs) {
                            ex.getResponseHeaders().add(k, v.replace(upstream, self));
                        }
                    }
                });
                boolean head = ex.getRequestMethod().equals("HEAD");
                if (corruptBlobs
                        && !head
                        && r.statusCode() == 200
                        && r.body().length > 0
                        && ex.getRequestURI().getPath().contains("/blobs/sha256:")) {
                    r.body()[0] ^= 1;
                }
                ex.sendResponseHeaders(r.statusCode(), head || r.body().length == 0 ? -1 : r.body().length);
                if (!head && r.body().length > 0) {
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(r.body());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    static Predicate<HttpExchange> blobPut() {
        return ex -> ex.getRequestMethod().equals("PUT")
                && ex.getRequestURI().getPath().contains("/blobs/uploads/");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
