package io.captainos.core.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.fetch.DownloadCache;
import io.captainos.core.fetch.Downloader;
import io.captainos.core.fetch.FileServer;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.fetch.VerificationException;
import io.captainos.core.state.InputHash;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** UpstreamToolsSource against a local server laid out like GitHub's release downloads. */
class UpstreamToolsSourceTest {
    private static final String CONTAINERD_DIR = "containerd/containerd/releases/download/v2.2.1/";
    private static final String CONTAINERD = "containerd-2.2.1-linux-amd64.tar.gz";
    private static final String RUNC_DIR = "opencontainers/runc/releases/download/v1.3.4/";
    private static final String RUNC = "runc.amd64";
    private static final String NERDCTL_DIR = "containerd/nerdctl/releases/download/v2.1.6/";
    private static final String NERDCTL = "nerdctl-2.1.6-linux-amd64.tar.gz";
    private static final String CNI_DIR = "containernetworking/plugins/releases/download/v1.8.0/";
    private static final String CNI = "cni-plugins-linux-amd64-v1.8.0.tgz";

    @TempDir
    Path cacheDir;

    @TempDir
    Path work;

    private FileServer server;
    /** Bundle path to the content the test published for it. */
    private final Map<String, byte[]> expected = new LinkedHashMap<>();
    /** Asset name to its published SHA-256. */
    private final Map<String, String> published = new HashMap<>();

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] tarGz(Map<String, byte[]> files) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bos))) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                if (f.getValue() == null) {
                    TarArchiveEntry d = new TarArchiveEntry(f.getKey());
                    d.setMode(040755);
                    tar.putArchiveEntry(d);
                } else {
                    TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                    e.setMode(0100755);
                    e.setSize(f.getValue().length);
                    tar.putArchiveEntry(e);
                    tar.write(f.getValue());
                }
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toByteArray();
    }

    private void publish(String dir, String asset, byte[] body) {
        server.put(dir + asset, body);
        published.put(asset, Sha256.of(body));
    }

    @BeforeEach
    void release() throws IOException {
        server = new FileServer();

        Map<String, byte[]> containerd = new LinkedHashMap<>();
        containerd.put("bin/", null);
        for (String b : List.of("containerd", "containerd-shim-runc-v2", "ctr", "containerd-stress")) {
            containerd.put("bin/" + b, bytes("ELF " + b + " 2.2.1\n"));
            if (!b.equals("containerd-stress")) {
                expected.put("usr/local/bin/" + b, containerd.get("bin/" + b));
            }
        }
        publish(CONTAINERD_DIR, CONTAINERD, tarGz(containerd));
        server.put(
                CONTAINERD_DIR + CONTAINERD + ".sha256sum",
                bytes(published.get(CONTAINERD) + "  " + CONTAINERD + "\n"));

        byte[] runc = bytes("ELF runc 1.3.4 amd64\n");
        expected.put("usr/local/bin/runc", runc);
        publish(RUNC_DIR, RUNC, runc);
        server.put(RUNC_DIR + "runc.arm64", bytes("ELF runc arm64"));
        server.put(
                RUNC_DIR + "runc.sha256sum",
                bytes("a".repeat(64) + "  libseccomp-2.5.6.tar.gz\n"
                        + published.get(RUNC) + "  runc.amd64\n"
                        + Sha256.of(bytes("ELF runc arm64")) + "  runc.arm64\n"
                        + "b".repeat(64) + "  runc.tar.xz\n"));

        Map<String, byte[]> nerdctl = new LinkedHashMap<>();
        nerdctl.put("nerdctl", bytes("ELF nerdctl 2.1.6\n"));
        nerdctl.put("containerd-rootless.sh", bytes("#!/bin/sh\n"));
        nerdctl.put("containerd-rootless-setuptool.sh", bytes("#!/bin/sh\n"));
        expected.put("usr/local/bin/nerdctl", nerdctl.get("nerdctl"));
        publish(NERDCTL_DIR, NERDCTL, tarGz(nerdctl));
        server.put(
                NERDCTL_DIR + "SHA256SUMS",
                bytes("c".repeat(64) + " *nerdctl-full-2.1.6-linux-amd64.tar.gz\n"
                        + published.get(NERDCTL) + " *" + NERDCTL + "\n"
                        + "d".repeat(64) + " *nerdctl-2.1.6-linux-arm64.tar.gz\n"));

        Map<String, byte[]> cni = new LinkedHashMap<>();
        cni.put("./", null);
        for (String b : List.of(
                "bandwidth", "bridge", "dhcp", "firewall", "host-local", "loopback", "portmap", "tuning", "vlan")) {
            cni.put("./" + b, bytes("ELF cni " + b + "\n"));
        }
        cni.put("./LICENSE", bytes("Apache-2.0\n"));
        for (String b : BundleLayout.CNI_PLUGINS) {
            expected.put("opt/cni/bin/" + b, cni.get("./" + b));
        }
        publish(CNI_DIR, CNI, tarGz(cni));
        server.put(CNI_DIR + CNI + ".sha256", bytes(published.get(CNI) + "  ./" + CNI + "\n"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private DownloadCache cache() {
        return new DownloadCache(
                cacheDir, new Downloader(BuildLog.silent(), Map.of(), 2, Duration.ofMillis(1)), BuildLog.silent());
    }

    /** Pins given by asset name here; the source keys them by release path. */
    private UpstreamToolsSource source(Map<String, String> pinsByAsset) {
        Map<String, String> dirs =
                Map.of(CONTAINERD, CONTAINERD_DIR, RUNC, RUNC_DIR, NERDCTL, NERDCTL_DIR, CNI, CNI_DIR);
        Map<String, String> pins = new HashMap<>();
        pinsByAsset.forEach((asset, digest) -> pins.put(dirs.get(asset) + asset, digest));
        return new UpstreamToolsSource(
                UpstreamToolsSource.components("2.2.1", "1.3.4", "2.1.6", "1.8.0"),
                server.root(),
                pins,
                cache(),
                BuildLog.silent());
    }

    private List<ToolFile> stage(UpstreamToolsSource source, String name) throws IOException {
        Path root = work.resolve(name).resolve("root");
        Path scratch = work.resolve(name).resolve("scratch");
        Files.createDirectories(root);
        Files.createDirectories(scratch);
        return source.stage(Arch.AMD64, root, scratch);
    }

    private Path cached(String asset) {
        return cacheDir.resolve("sha256").resolve(published.get(asset)).resolve(asset);
    }

    @Test
    void stagesEveryBinaryWithItsDigest() throws IOException {
        List<ToolFile> files = stage(source(Map.of()), "a");
        Path root = work.resolve("a").resolve("root");

        assertEquals(expected.keySet(), files.stream().map(ToolFile::path).collect(Collectors.toSet()));
        assertEquals(11, files.size());
        for (Map.Entry<String, byte[]> e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(root.resolve(e.getKey())), e.getKey());
        }
        for (ToolFile f : files) {
            assertEquals(Sha256.of(expected.get(f.path())), f.sha256(), f.path());
        }
        Map<String, ToolFile> byPath = files.stream().collect(Collectors.toMap(ToolFile::path, f -> f));
        assertEquals("containerd", byPath.get("usr/local/bin/ctr").component());
        assertEquals("2.2.1", byPath.get("usr/local/bin/ctr").version());
        assertEquals("upstream:" + CONTAINERD, byPath.get("usr/local/bin/ctr").source());
        assertEquals("upstream:" + RUNC, byPath.get("usr/local/bin/runc").source());
        assertEquals("1.8.0", byPath.get("opt/cni/bin/portmap").version());
        assertEquals("cni-plugins", byPath.get("opt/cni/bin/portmap").component());
        // only the binaries the bundle wants
        assertFalse(Files.exists(root.resolve("usr/local/bin/containerd-stress")));
        assertFalse(Files.exists(root.resolve("opt/cni/bin/dhcp")));
        // every asset is in the cache under its published digest
        for (String asset : List.of(CONTAINERD, RUNC, NERDCTL, CNI)) {
            assertTrue(Files.isRegularFile(cached(asset)), asset);
        }
    }

    @Test
    void matchingPinsAreAccepted() throws IOException {
        Map<String, String> pins = new HashMap<>(published);
        assertEquals(11, stage(source(pins), "pinned").size());
    }

    @Test
    void tamperedAssetIsRejectedAndNotCached() throws IOException {
        byte[] evil = bytes("ELF runc 1.3.4 amd64 with a backdoor\n");
        server.put(RUNC_DIR + RUNC, evil);
        VerificationException e = assertThrows(VerificationException.class, () -> stage(source(Map.of()), "b"));
        assertTrue(e.getMessage().contains(published.get(RUNC)), e.getMessage());
        assertTrue(e.getMessage().contains(Sha256.of(evil)), e.getMessage());
        assertFalse(Files.exists(cached(RUNC)));
        assertFalse(Files.exists(cacheDir.resolve("sha256").resolve(Sha256.of(evil))));
        assertFalse(Files.exists(work.resolve("b").resolve("root").resolve("usr/local/bin/runc")));
    }

    @Test
    void pinThatDiffersFromThePublishedChecksumFails() throws IOException {
        String pin = "e".repeat(64);
        VerificationException e =
                assertThrows(VerificationException.class, () -> stage(source(Map.of(NERDCTL, pin)), "c"));
        assertTrue(e.getMessage().contains("pinned"), e.getMessage());
        assertTrue(e.getMessage().contains(pin), e.getMessage());
        assertTrue(e.getMessage().contains(published.get(NERDCTL)), e.getMessage());
        assertEquals(0, server.requests(NERDCTL_DIR + NERDCTL), "the asset must not even be downloaded");
        assertFalse(Files.exists(cached(NERDCTL)));
    }

    @Test
    void pinnedAndCachedAssetsWorkWithTheReleaseServerDown() throws IOException {
        stage(source(Map.of()), "online");
        server.close();

        List<ToolFile> files = stage(source(new HashMap<>(published)), "offline");
        assertEquals(11, files.size());
        Path root = work.resolve("offline").resolve("root");
        for (Map.Entry<String, byte[]> e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(root.resolve(e.getKey())), e.getKey());
        }
    }

    @Test
    void releaseServerDownWithoutAPinFails() throws IOException {
        stage(source(Map.of()), "online");
        server.close();
        Map<String, String> pins = new HashMap<>(published);
        pins.remove(CNI);
        CaptainException e = assertThrows(CaptainException.class, () -> stage(source(pins), "offline"));
        assertFalse(e instanceof VerificationException, e.toString());
        assertTrue(e.getMessage().contains(CNI), e.getMessage());
    }

    @Test
    void missingChecksumFileIsReported() {
        server.remove(RUNC_DIR + "runc.sha256sum");
        CaptainException e = assertThrows(CaptainException.class, () -> stage(source(Map.of()), "d"));
        assertTrue(e.getMessage().contains("runc"), e.getMessage());
        assertTrue(e.getMessage().contains("publishes no checksum file"), e.getMessage());
    }

    @Test
    void describeFollowsThePublishedDigests() {
        InputHash a = new InputHash();
        source(Map.of()).describe(Arch.AMD64, a);
        assertTrue(a.describe().contains("sha256=" + published.get(RUNC)), a.describe());
        InputHash again = new InputHash();
        source(Map.of(RUNC, published.get(RUNC))).describe(Arch.AMD64, again);
        assertEquals(a.digest(), again.digest(), "a matching pin changes nothing");
        // the release re-publishes runc: the inputs change, so the bundle rebuilds
        byte[] runc = bytes("ELF runc 1.3.4 amd64, rebuilt\n");
        server.put(RUNC_DIR + RUNC, runc);
        server.put(RUNC_DIR + "runc.sha256sum", bytes(Sha256.of(runc) + "  runc.amd64\n"));
        InputHash b = new InputHash();
        source(Map.of()).describe(Arch.AMD64, b);
        assertNotEquals(a.digest(), b.digest());
    }

    @Test
    void pinsAreKeyedByReleasePathSoVersionsDoNotCollide() {
        // a pin for another runc release's runc.amd64 does not apply to this one
        UpstreamToolsSource s = new UpstreamToolsSource(
                UpstreamToolsSource.components("2.2.1", "1.3.4", "2.1.6", "1.8.0"),
                server.root(),
                Map.of("opencontainers/runc/releases/download/v1.4.0/runc.amd64", "f".repeat(64)),
                cache(),
                BuildLog.silent());
        InputHash h = new InputHash();
        s.describe(Arch.AMD64, h);
        assertTrue(h.describe().contains("sha256=" + published.get(RUNC)), h.describe());
    }
}
