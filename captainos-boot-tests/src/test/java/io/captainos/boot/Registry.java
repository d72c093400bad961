package io.captainos.boot;

import io.captainos.core.BuildLog;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.oci.Credentials;
import io.captainos.core.oci.Descriptor;
import io.captainos.core.oci.Json;
import io.captainos.core.oci.LocalRegistry;
import io.captainos.core.oci.RegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A real registry for the boot tests: Debian's docker-registry on a free loopback port (the plugin's test
 * {@link LocalRegistry}), which the guest reaches as 10.0.2.2 (or on {@code ::1}, as [fec0::2]), and the plugin's
 * registry client to push to it.
 */
final class Registry implements AutoCloseable {
    static final Path BINARY = LocalRegistry.BINARY;
    /** The host as QEMU user networking shows it to the guest: its IPv4 address, connected to 127.0.0.1. */
    static final String IPV4_HOST = "10.0.2.2";
    /** The same over IPv6 (the default prefix fec0::/64), connected to {@code ::1}. */
    static final String IPV6_HOST = "[fec0::2]";

    final int port;
    private final LocalRegistry registry;
    private final Path dir;

    private final Credentials credentials;
    /** The host as the guest reaches it: QEMU user networking's host address, IPv4 or IPv6. */
    private final String hostFromGuest;

    private Registry(LocalRegistry registry, Path dir, Credentials credentials, String hostFromGuest) {
        this.registry = registry;
        this.port = registry.port;
        this.dir = dir;
        this.credentials = credentials;
        this.hostFromGuest = hostFromGuest;
    }

    static int freePort() throws IOException {
        return LocalRegistry.freePort();
    }

    static Registry start(Path dir) throws Exception {
        return start(dir, false, false);
    }

    /**
     * @param password behind htpasswd Basic auth ({@link LocalRegistry#USER} / {@link LocalRegistry#PASSWORD})
     * @param ipv6     listening on {@code [::1]} only, which the guest reaches as {@link #IPV6_HOST}
     */
    static Registry start(Path dir, boolean password, boolean ipv6) throws Exception {
        return new Registry(
                LocalRegistry.start(dir, password, ipv6),
                dir,
                password ? new Credentials(LocalRegistry.USER, LocalRegistry.PASSWORD, "the test") : null,
                ipv6 ? IPV6_HOST : IPV4_HOST);
    }

    /** The host as the guest reaches it: {@link #IPV4_HOST} or {@link #IPV6_HOST}. */
    String hostFromGuest() {
        return hostFromGuest;
    }

    /** The address the guest reaches it at. */
    String fromGuest() {
        return hostFromGuest + ":" + port;
    }

    /** The registry's log: its access lines show what was served. */
    String log() throws IOException {
        return Files.readString(dir.resolve("registry.log"));
    }

    /**
     * A one-layer OCI image for a platform's architecture ({@code amd64}, {@code arm64}): each file (path to
     * content) at mode 0755, owner root. Returns the manifest digest.
     */
    String pushImage(String repository, String tag, String architecture, Map<String, byte[]> files) throws Exception {
        ByteArrayOutputStream layer = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(layer)) {
            Set<String> folders = new HashSet<>();
            for (Map.Entry<String, byte[]> f : new TreeMap<>(files).entrySet()) {
                byte[] content = f.getValue();
                String[] parts = f.getKey().split("/");
                StringBuilder folder = new StringBuilder();
                for (int i = 0; i < parts.length - 1; i++) {
                    folder.append(parts[i]).append('/');
                    if (!folders.add(folder.toString())) {
                        continue;
                    }
                    TarArchiveEntry d = new TarArchiveEntry(folder.toString());
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
        RegistryClient client = new RegistryClient(
                registry.address(), repository, credentials, RegistryClient.Options.defaults(), BuildLog.silent());
        Descriptor layerBlob = blob(client, layer.toByteArray(), Descriptor.LAYER, tag + "-layer");
        byte[] config = Json.bytes(Map.of(
                "architecture",
                architecture,
                "os",
                "linux",
                "config",
                Map.of(),
                "rootfs",
                Map.of("type", "layers", "diff_ids", List.of(layerBlob.digest()))));
        Descriptor configBlob = blob(client, config, Descriptor.CONFIG, tag + "-config");
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", Descriptor.MANIFEST);
        manifest.put("config", configBlob.toJson());
        manifest.put("layers", List.of(layerBlob.toJson()));
        return client.putManifest(tag, Json.bytes(manifest), Descriptor.MANIFEST);
    }

    private Descriptor blob(RegistryClient client, byte[] bytes, String mediaType, String name) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        String digest = "sha256:" + Sha256.of(bytes);
        client.pushBlob(file, digest, List.of());
        return new Descriptor(mediaType, digest, bytes.length);
    }

    @Override
    public void close() {
        registry.close();
    }
}
