package io.captainos.core.fetch;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link TestServer} that serves files from a map of paths (without the leading slash) to bytes; any other path
 * is a 404. Public so that tests of other packages can serve fake mirrors and release pages.
 */
public final class FileServer implements AutoCloseable {
    private final TestServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    public FileServer() throws IOException {
        server = new TestServer();
        server.handle("/", (exchange, call) -> {
            String path = exchange.getRequestURI().getPath().substring(1);
            requests.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
            byte[] body = files.get(path);
            if (body == null) {
                TestServer.send(exchange, 404, new byte[0]);
            } else {
                TestServer.send(exchange, 200, body);
            }
        });
    }

    /** Serves {@code body} at {@code path} (relative to the root, such as {@code dists/trixie/InRelease}). */
    public FileServer put(String path, byte[] body) {
        files.put(path, body.clone());
        return this;
    }

    public FileServer remove(String path) {
        files.remove(path);
        return this;
    }

    /** How many times {@code path} was asked for. */
    public int requests(String path) {
        AtomicInteger n = requests.get(path);
        return n == null ? 0 : n.get();
    }

    /** The server's root, ending in a slash. */
    public URI root() {
        return server.uri("/");
    }

    /** Stops the server: later requests fail to connect. */
    @Override
    public void close() {
        server.close();
    }
}
