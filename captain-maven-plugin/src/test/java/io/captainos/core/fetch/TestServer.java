package io.captainos.core.fetch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/** A local HTTP server on 127.0.0.1 and a free port, counting the requests of each path. */
final class TestServer implements AutoCloseable {
    /** Answers the n-th request (counting from 1). */
    interface Responder {
        void respond(HttpExchange exchange, int call) throws IOException;
    }

    private final HttpServer server;

    TestServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.start();
    }

    /** Serves {@code path} with {@code responder}; the counter counts its requests. */
    AtomicInteger handle(String path, Responder responder) {
        AtomicInteger calls = new AtomicInteger();
        HttpHandler h = exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                responder.respond(exchange, calls.incrementAndGet());
            }
        };
        server.createContext(path, h);
        return calls;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
