package io.captainos.core.oci;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Debian's docker-registry (the CNCF distribution registry) on a free loopback port, with its storage in a test
 * folder; optionally behind htpasswd Basic auth. Shared with the boot tests (test-jar).
 */
public final class LocalRegistry implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/bin/docker-registry");
    /** User {@code captain}, password {@link #PASSWORD}, bcrypt (the only hash the registry takes). */
    static final String HTPASSWD = "captain:$2b$05$HjpyGO2yeJoP6OEAMuu0DOe6f.25v1cMe5C9r12YxYZ6Zq.3bqetu\n";

    public static final String USER = "captain";
    public static final String PASSWORD = "tide-pool-42";

    public final int port;
    /** The loopback address it listens on, as a URL writes it: {@code 127.0.0.1} or {@code [::1]}. */
    private final String host;

    private final Process process;

    private LocalRegistry(String host, int port, Process process) {
        this.host = host;
        this.port = port;
        this.process = process;
    }

    public String address() {
        return host + ":" + port;
    }

    public static LocalRegistry start(Path dir, boolean htpasswd) throws Exception {
        return start(dir, htpasswd, false);
    }

    /** @param ipv6 listen on {@code [::1]} instead of {@code 127.0.0.1} */
    public static LocalRegistry start(Path dir, boolean htpasswd, boolean ipv6) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: apt-get install docker-registry");
        }
        int port = freePort();
        String host = ipv6 ? "[::1]" : "127.0.0.1";
        Path storage = dir.resolve("storage");
        Files.createDirectories(storage);
        String auth = "";
        if (htpasswd) {
            Files.writeString(dir.resolve("htpasswd"), HTPASSWD);
            auth = "auth:\n  htpasswd:\n    realm: captainos-test\n    path: " + dir.resolve("htpasswd") + "\n";
        }
        Path config = dir.resolve("config.yml");
        Files.writeString(
                config,
                "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: " + storage + "\n"
                        + auth + "http:\n  addr: \"" + host + ":" + port + "\"\n");
        Process p = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile())
                .start();
        LocalRegistry r = new LocalRegistry(host, port, p);
        long deadline = System.currentTimeMillis() + 20_000;
        while (true) {
            try (Socket s = new Socket(ipv6 ? "::1" : "127.0.0.1", port)) {
                return r;
            } catch (IOException e) {
                if (!p.isAlive() || System.currentTimeMillis() > deadline) {
                    r.close();
                    throw new IllegalStateException(
                            "docker-registry did not start: " + Files.readString(dir.resolve("registry.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    /** A loopback port nothing listens on (at the time of the call). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
