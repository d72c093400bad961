package io.captainos.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A real registry for the boot tests: Debian's docker-registry (distribution) on a free loopback port, which the
 * guest reaches as 10.0.2.2. Pushes images over the distribution API.
 */
final class Registry implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/docker-registry");
    final int port;
    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();

    private Registry(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Registry start(Path dir) throws Exception {
        int port = freePort();
        Files.createDirectories(dir.resolve("storage"));
        Path config = dir.resolve("config.yml");
        Files.writeString(config, "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: "
                + dir.resolve("storage") + "\nhttp:\n  addr: 127.0.0.1:" + port + "\n");
        Process p = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        Registry r = new Registry(port, p);
        long deadline = System.currentTimeMillis() + 20_000;
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return r;
            } catch (IOException e) {
                if (!p.isAlive() || System.currentTimeMillis() > deadline) {
                    r.close();
                    throw new IllegalStateException("docker-registry did not start on port " + port + ": "
                            + Files.readString(dir.resolve("registry.log")));
                }
                Thread.sleep(100);
            }
        }
    }

    static String sha256(byte[] b) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /**
     * A one-layer OCI image for a platform's architecture ({@code amd64}, {@code arm64}): each file (path to
     * content) at mode 0755, owner root. Returns the manifest digest.
     */
    String pushImage(String repository, String tag, String architecture, Map<String, String> files) throws Exception {
        ByteArrayOutputStream layer = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(layer)) {
            for (Map.Entry<String, String> f : new TreeMap<>(files).entrySet()) {
                byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
                String[] parts = f.getKey().split("/");
                StringBuilder dir = new StringBuilder();
                for (int i = 0; i < parts.length - 1; i++) {
                    dir.append(parts[i]).append('/');
                    TarArchiveEntry d = new TarArchiveEntry(dir.toString());
                    d.setMode(040755);
                    tar.putArchiveEntry(d);
                    tar.closeArchiveEntry();
                }
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setMode(0100755);
                e.setSize(content.length);
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        byte[] layerBytes = layer.toByteArray();
        String layerDigest = sha256(layerBytes);
        byte[] config = ("{\"architecture\":\"" + architecture + "\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[\"" + layerDigest + "\"]}}").getBytes(StandardCharsets.UTF_8);
        String configDigest = sha256(config);
        upload(repository, layerBytes, layerDigest);
        upload(repository, config, configDigest);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                + configDigest + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layerDigest + "\",\"size\":"
                + layerBytes.length + "}]}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(base().resolve("/v2/" + repository
                + "/manifests/" + tag)).header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), put.body());
        return sha256(manifest);
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + port);
    }

    private void upload(String repository, byte[] blob, String digest) throws Exception {
        HttpResponse<String> start = http.send(HttpRequest.newBuilder(base().resolve("/v2/" + repository
                + "/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, start.statusCode(), start.body());
        String location = start.headers().firstValue("Location").orElseThrow();
        URI put = base().resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + digest);
        HttpResponse<String> done = http.send(HttpRequest.newBuilder(put).header("Content-Type",
                "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, done.statusCode(), done.body());
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
