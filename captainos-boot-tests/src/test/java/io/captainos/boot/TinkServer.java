package io.captainos.boot;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for the tink server on a loopback port (the guest reaches it as 10.0.2.2): it takes the stand-in agent's
 * connection, records the line the agent sends first (what it parsed), answers with the workflow's actions, one JSON
 * object a line, and records each result line the agent sends back.
 */
final class TinkServer implements AutoCloseable {
    final int port;
    private final ServerSocket socket;
    private final List<String> actions;
    private final LinkedBlockingQueue<String> hellos = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<String> results = new LinkedBlockingQueue<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    /** @param address the loopback address to listen on: 127.0.0.1 or ::1 */
    TinkServer(List<String> actions, InetAddress address) throws IOException {
        this.actions = List.copyOf(actions);
        this.socket = new ServerSocket(0, 8, address);
        this.port = socket.getLocalPort();
        this.acceptor = new Thread(this::accept, "tink-server-standin");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                connections.add(s);
                Thread t = new Thread(() -> serve(s), "tink-server-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
            String hello = in.readLine();
            if (hello == null) {
                return;
            }
            hellos.add(hello);
            OutputStream out = s.getOutputStream();
            for (String action : actions) {
                out.write((action + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                String result = in.readLine();
                if (result == null) {
                    return;
                }
                results.add(result);
            }
            // Keep the connection, as a server with no more work for this machine would.
            while (in.readLine() != null) {
                // nothing more is expected
            }
        } catch (IOException e) {
            // the guest went away
        }
    }

    /** The first line of the next agent connection, or null when none arrives in time. */
    String awaitConnection(Duration timeout) throws InterruptedException {
        return hellos.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next action result, or null when none arrives in time. */
    String awaitResult(Duration timeout) throws InterruptedException {
        return results.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        try {
            socket.close();
            for (Socket s : connections) {
                s.close();
            }
        } catch (IOException e) {
            // closing
        }
    }
}
