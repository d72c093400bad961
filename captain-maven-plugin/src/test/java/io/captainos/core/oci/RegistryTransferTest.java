package io.captainos.core.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.oci.ArtifactImages.NamedFile;
import io.captainos.testing.RecordingLog;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publish, pull, tag and mount against a real docker-registry on loopback. */
class RegistryTransferTest {
    static final String BASE = "v1.2.3-abcdef0";

    @TempDir
    static Path tmp;

    static LocalRegistry registry;
    static Map<Arch, List<NamedFile>> files;
    static OciLayout layout;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.start(tmp.resolve("registry"), false);
        files = ArtifactImagesTest.files(tmp.resolve("out"), 42);
        layout = ArtifactImagesTest.layout(tmp.resolve("layout"), files);
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    static RegistryClient client(String address, String repository, RecordingLog log) {
        return new RegistryClient(
                address,
                repository,
                null,
                new RegistryClient.Options(4, Duration.ofMillis(50), Duration.ofSeconds(30), 16L << 20, 64L << 20),
                log);
    }

    static List<String> layerDigests(RegistryClient c, String tag) {
        Map<String, Object> index =
                Json.object(Json.parse(c.manifest(tag).orElseThrow().bytes(), tag), tag);
        List<String> digests = new ArrayList<>();
        for (Object o : Json.list(index.get("manifests"), "m")) {
            Descriptor d = Descriptor.fromJson(o, "m");
            Map<String, Object> m =
                    Json.object(Json.parse(c.manifest(d.digest()).orElseThrow().bytes(), "m"), "m");
            Json.list(m.get("layers"), "l")
                    .forEach(l -> digests.add(
                            d.platform() + " " + Descriptor.fromJson(l, "l").digest()));
        }
        return digests;
    }

    static long sizeOf(String tag, boolean configsOnly) {
        long total = 0;
        Map<String, Object> index = ArtifactImagesTest.doc(layout, layout.tags().get(tag));
        TreeSet<String> seen = new TreeSet<>();
        for (Object o : Json.list(index.get("manifests"), "m")) {
            Map<String, Object> m = ArtifactImagesTest.doc(layout, Descriptor.fromJson(o, "m"));
            List<Descriptor> blobs = new ArrayList<>(ArtifactImagesTest.layers(layout, m));
            blobs.add(Descriptor.fromJson(m.get("config"), "c"));
            for (Descriptor b : blobs) {
                if ((!configsOnly || b.mediaType().equals(Descriptor.CONFIG)) && seen.add(b.digest())) {
                    total += b.size();
                }
            }
        }
        return total;
    }

    @Test
    void publishesPerArchThenCombinedWhichUploadsNoLayerAgain() {
        RegistryClient c = client(registry.address(), "publish/artifacts", new RecordingLog());
        String amd = OciTransfer.push(layout, BASE + "-amd64", c, BASE + "-amd64", List.of());
        OciTransfer.push(layout, BASE + "-arm64", c, BASE + "-arm64", List.of());
        long perArchBytes = c.stats().uploadedBytes;
        assertEquals(sizeOf(BASE + "-amd64", false) + sizeOf(BASE + "-arm64", false), perArchBytes);
        String combined = OciTransfer.push(layout, BASE, c, BASE, List.of());
        assertEquals(
                sizeOf(BASE, true),
                c.stats().uploadedBytes - perArchBytes,
                "the combined image uploaded more than its two configs");
        assertEquals(layout.tags().get(BASE + "-amd64").digest(), amd);
        assertEquals(layout.tags().get(BASE).digest(), combined);

        RegistryClient.Manifest index = c.manifest(BASE).orElseThrow();
        assertEquals(Descriptor.INDEX, index.mediaType());
        List<String> platforms =
                Json.list(Json.object(Json.parse(index.bytes(), "i"), "i").get("manifests"), "m").stream()
                        .map(o -> Descriptor.fromJson(o, "m").platform())
                        .toList();
        assertEquals(List.of("linux/amd64", "linux/arm64"), platforms);
        List<String> perArch = new ArrayList<>();
        for (String tag : List.of(BASE + "-amd64", BASE + "-arm64")) {
            perArch.addAll(layerDigests(c, tag).stream()
                    .filter(s -> s.startsWith("linux/amd64 "))
                    .map(s -> s.substring(12))
                    .toList());
        }
        List<String> both = layerDigests(c, BASE);
        assertEquals(
                perArch,
                both.stream()
                        .filter(s -> s.startsWith("linux/amd64 "))
                        .map(s -> s.substring(12))
                        .toList());
        assertEquals(
                perArch,
                both.stream()
                        .filter(s -> s.startsWith("linux/arm64 "))
                        .map(s -> s.substring(12))
                        .toList());

        RegistryClient again = client(registry.address(), "publish/artifacts", new RecordingLog());
        for (String tag : List.of(BASE + "-amd64", BASE + "-arm64", BASE)) {
            assertTrue(again.hasManifest(tag));
            OciTransfer.push(layout, tag, again, tag, List.of());
        }
        assertEquals(0, again.stats().uploadedBlobs, "a second publish uploaded blobs: " + again.stats());
        assertEquals(0, again.stats().uploadedBytes);
        assertTrue(again.stats().existingBlobs > 0);
    }

    @Test
    void pullRestoresEveryFileByteForByteAndTagKeepsTheDigests() throws Exception {
        RegistryClient c = client(registry.address(), "pull/artifacts", new RecordingLog());
        for (String tag : List.of(BASE + "-amd64", BASE + "-arm64", BASE)) {
            OciTransfer.push(layout, tag, c, tag, List.of());
        }
        Path into = tmp.resolve("pulled");
        List<Path> written = OciTransfer.pull(c, BASE, "linux/arm64", into, BuildLog.silent());
        assertEquals(8, written.size());
        for (List<NamedFile> l : files.values()) {
            for (NamedFile f : l) {
                assertArrayEquals(Files.readAllBytes(f.path()), Files.readAllBytes(into.resolve(f.name())), f.name());
            }
        }
        try (var s = Files.list(into)) {
            assertEquals(8, s.count(), "the pull left its work folder behind");
        }
        CaptainException noPlatform = assertThrows(
                CaptainException.class,
                () -> OciTransfer.pull(c, BASE, "linux/riscv64", tmp.resolve("x"), BuildLog.silent()));
        assertTrue(noPlatform.getMessage().contains("[linux/amd64, linux/arm64]"), noPlatform.getMessage());

        long uploaded = c.stats().uploadedBlobs;
        for (String[] p :
                new String[][] {{BASE, "v1.2.3"}, {BASE + "-amd64", "v1.2.3-amd64"}, {BASE + "-arm64", "v1.2.3-arm64"}
                }) {
            String digest = OciTransfer.copyTag(c, p[0], p[1]);
            assertEquals(c.manifest(p[0]).orElseThrow().digest(), digest);
            assertEquals(digest, c.manifest(p[1]).orElseThrow().digest());
        }
        assertEquals(uploaded, c.stats().uploadedBlobs, "tagging uploaded blobs");
    }

    @Test
    void largeBlobsGoInChunksAndAnotherRepositoryMountsThem() throws Exception {
        RegistryClient chunked = new RegistryClient(
                registry.address(),
                "chunked/artifacts",
                null,
                new RegistryClient.Options(3, Duration.ofMillis(50), Duration.ofSeconds(30), 64 * 1024, 100 * 1024),
                BuildLog.silent());
        OciTransfer.push(layout, BASE + "-amd64", chunked, BASE + "-amd64", List.of());
        Path into = tmp.resolve("chunked-pull");
        OciTransfer.pull(chunked, BASE + "-amd64", "linux/amd64", into, BuildLog.silent());
        for (NamedFile f : files.get(Arch.AMD64)) {
            assertArrayEquals(Files.readAllBytes(f.path()), Files.readAllBytes(into.resolve(f.name())), f.name());
        }
        RegistryClient mounted = client(registry.address(), "mounted/artifacts", new RecordingLog());
        OciTransfer.push(layout, BASE + "-amd64", mounted, BASE + "-amd64", List.of("chunked/artifacts"));
        assertEquals(0, mounted.stats().uploadedBytes, mounted.stats().toString());
        assertEquals(6, mounted.stats().mountedBlobs, mounted.stats().toString());
        assertEquals(layerDigests(chunked, BASE + "-amd64"), layerDigests(mounted, BASE + "-amd64"));
    }

    @Test
    void aFailedUploadIsRetriedAndSucceeds() throws Exception {
        RecordingLog log = new RecordingLog();
        try (FlakyProxy proxy = new FlakyProxy(registry.address(), FlakyProxy.blobPut(), 1)) {
            RegistryClient c = client(proxy.address(), "flaky/artifacts", log);
            String digest = OciTransfer.push(layout, BASE + "-arm64", c, BASE + "-arm64", List.of());
            assertEquals(1, proxy.injected.get());
            assertEquals(layout.tags().get(BASE + "-arm64").digest(), digest);
        }
        assertTrue(
                log.all().contains("HTTP 500: UNKNOWN injected failure")
                        && log.all().contains("attempt 1 of 4; retrying in"),
                log.all());
        assertTrue(client(registry.address(), "flaky/artifacts", log).hasManifest(BASE + "-arm64"));
    }

    @Test
    void aServerThatKeepsFailingIsGivenUpOnWithItsMessage() throws Exception {
        try (FlakyProxy proxy = new FlakyProxy(registry.address(), FlakyProxy.blobPut(), 100)) {
            RegistryClient c = client(proxy.address(), "down/artifacts", new RecordingLog());
            CaptainException e = assertThrows(
                    CaptainException.class,
                    () -> OciTransfer.push(layout, BASE + "-amd64", c, BASE + "-amd64", List.of()));
            assertTrue(
                    e.getMessage().contains("after 4 attempts")
                            && e.getMessage().contains("injected failure"),
                    e.getMessage());
            assertEquals(4, proxy.injected.get());
        }
    }

    @Test
    void aLayerThatWouldWriteOutsideTheFolderIsRefused() throws Exception {
        RegistryClient c = client(registry.address(), "evil/artifacts", new RecordingLog());
        for (String name : List.of("../escaped", "/abs/escaped", "a/../../escaped")) {
            pushOneLayerImage(c, "evil", name);
            Path into = tmp.resolve("evil-pull/inside");
            CaptainException e = assertThrows(
                    CaptainException.class, () -> OciTransfer.pull(c, "evil", "linux/amd64", into, BuildLog.silent()));
            assertTrue(e.getMessage().contains("outside the folder"), e.getMessage());
            assertFalse(Files.exists(tmp.resolve("evil-pull/escaped")));
            assertFalse(Files.exists(Path.of("/abs/escaped")));
            assertFalse(Files.exists(into.resolve("escaped")));
        }
    }

    @Test
    void aBlobThatIsNotWhatItsDescriptorSaysIsRefusedAndNotKept() throws Exception {
        RegistryClient c = client(registry.address(), "verify/artifacts", new RecordingLog());
        NamedFile f = files.get(Arch.AMD64).get(0);
        String digest = "sha256:" + Sha256.of(f.path());
        long size = Files.size(f.path());
        c.pushBlob(f.path(), digest, List.of());
        Path target = tmp.resolve("verify/blob");
        CaptainException shorter = assertThrows(
                CaptainException.class, () -> c.fetchBlob(new Descriptor(Descriptor.LAYER, digest, size - 1), target));
        assertTrue(shorter.getMessage().contains("longer than the"), shorter.getMessage());
        try (FlakyProxy proxy = new FlakyProxy(registry.address(), ex -> false, 0)) {
            proxy.corruptBlobs = true;
            RegistryClient corrupted = client(proxy.address(), "verify/artifacts", new RecordingLog());
            CaptainException wrong = assertThrows(
                    CaptainException.class,
                    () -> corrupted.fetchBlob(new Descriptor(Descriptor.LAYER, digest, size), target));
            assertTrue(
                    wrong.getMessage().contains("arrived as sha256:")
                            && wrong.getMessage().contains("refusing"),
                    wrong.getMessage());
        }
        assertFalse(Files.exists(target));
        try (var s = Files.list(target.getParent())) {
            assertEquals(List.of(), s.toList(), "a partial download was left behind");
        }
        c.fetchBlob(new Descriptor(Descriptor.LAYER, digest, size), target);
        assertArrayEquals(Files.readAllBytes(f.path()), Files.readAllBytes(target));
    }

    @Test
    void aLayerFromAnotherToolWithItsOwnFolderEntriesIsExtracted() throws Exception {
        RegistryClient c = client(registry.address(), "other/artifacts", new RecordingLog());
        pushOneLayerImage(c, "dotted", "./sub/file.txt");
        Path into = tmp.resolve("dotted-pull");
        List<Path> written = OciTransfer.pull(c, "dotted", "linux/amd64", into, BuildLog.silent());
        assertEquals(List.of(into.toAbsolutePath().normalize().resolve("sub/file.txt")), written);
        assertEquals("pwned\n", Files.readString(into.resolve("sub/file.txt")));
    }

    /**
     * An image whose only layer holds one file under {@code name} (after folder entries for {@code ./} and its
     * parents, as tar writes them), written without our layout's checks.
     */
    static void pushOneLayerImage(RegistryClient c, String tag, String name) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            if (name.startsWith("./")) {
                for (String dir : List.of("./", name.substring(0, name.lastIndexOf('/') + 1))) {
                    tar.putArchiveEntry(new TarArchiveEntry(dir));
                    tar.closeArchiveEntry();
                }
            }
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            byte[] content = "pwned\n".getBytes(StandardCharsets.UTF_8);
            e.setSize(content.length);
            tar.putArchiveEntry(e);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        Path layer = tmp.resolve("evil-layer");
        Files.write(layer, bytes.toByteArray());
        String layerDigest = "sha256:" + Sha256.of(layer);
        c.pushBlob(layer, layerDigest, List.of());
        byte[] config = Json.bytes(Map.of(
                "architecture",
                "amd64",
                "os",
                "linux",
                "rootfs",
                Map.of("type", "layers", "diff_ids", List.of(layerDigest))));
        Path configFile = tmp.resolve("evil-config");
        Files.write(configFile, config);
        c.pushBlob(configFile, "sha256:" + Sha256.of(config), List.of());
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", Descriptor.MANIFEST);
        manifest.put(
                "config", new Descriptor(Descriptor.CONFIG, "sha256:" + Sha256.of(config), config.length).toJson());
        manifest.put("layers", List.of(new Descriptor(Descriptor.LAYER, layerDigest, Files.size(layer)).toJson()));
        c.putManifest(tag, Json.bytes(manifest), Descriptor.MANIFEST);
    }

    /**
     * umoci (0.4) unpacks a manifest but cannot choose among an index's platforms, so each platform's manifest of
     * the combined image gets a tag of its own in a copy of the layout, and both are unpacked.
     */
    @Test
    void umociUnpacksEachPlatformOfTheCombinedImage() throws Exception {
        Path umoci = Path.of("/usr/bin/umoci");
        assertTrue(Files.isExecutable(umoci), "umoci is missing: apt-get install umoci");
        Path copy = tmp.resolve("umoci-layout");
        try (var s = Files.walk(layout.dir())) {
            for (Path f : s.toList()) {
                Path to = copy.resolve(layout.dir().relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        OciLayout tagged = OciLayout.open(copy);
        for (Object o : Json.list(
                ArtifactImagesTest.doc(layout, layout.tags().get(BASE)).get("manifests"), "m")) {
            Descriptor m = Descriptor.fromJson(o, "m");
            tagged.tag(m.platform().replace('/', '-'), new Descriptor(m.mediaType(), m.digest(), m.size()));
        }
        for (String platformTag : List.of("linux-amd64", "linux-arm64")) {
            unpack(umoci, copy, platformTag, tmp.resolve("bundle-" + platformTag));
        }
    }

    private static void unpack(Path umoci, Path layoutDir, String tag, Path bundle) throws Exception {
        Process p = new ProcessBuilder(umoci.toString(), "unpack", "--image", layoutDir + ":" + tag, bundle.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        for (List<NamedFile> l : files.values()) {
            for (NamedFile f : l) {
                Path unpacked = bundle.resolve("rootfs").resolve(f.name());
                assertArrayEquals(Files.readAllBytes(f.path()), Files.readAllBytes(unpacked), f.name());
            }
        }
    }

    @Test
    void htpasswdRegistryTakesTheRightPasswordAndNamesTheWrongOneWithoutShowingIt() throws Exception {
        try (LocalRegistry secured = LocalRegistry.start(tmp.resolve("secured"), true)) {
            RecordingLog log = new RecordingLog();
            RegistryClient anonymous = client(secured.address(), "auth/artifacts", log);
            CaptainException none = assertThrows(CaptainException.class, () -> anonymous.hasManifest(BASE));
            assertTrue(none.getMessage().contains("wants a user and password"), none.getMessage());

            RegistryClient good = new RegistryClient(
                    secured.address(),
                    "auth/artifacts",
                    new Credentials(LocalRegistry.USER, LocalRegistry.PASSWORD, "test"),
                    new RegistryClient.Options(2, Duration.ofMillis(50), Duration.ofSeconds(30), 16L << 20, 64L << 20),
                    log);
            OciTransfer.push(layout, BASE + "-amd64", good, BASE + "-amd64", List.of());
            assertTrue(good.hasManifest(BASE + "-amd64"));

            String wrong = "not-the-" + LocalRegistry.PASSWORD;
            RegistryClient bad = new RegistryClient(
                    secured.address(),
                    "auth/artifacts",
                    new Credentials(LocalRegistry.USER, wrong, "the test's wrong password"),
                    new RegistryClient.Options(2, Duration.ofMillis(50), Duration.ofSeconds(30), 16L << 20, 64L << 20),
                    log);
            RegistryException e = assertThrows(
                    RegistryException.class,
                    () -> OciTransfer.push(layout, BASE + "-arm64", bad, BASE + "-arm64", List.of()));
            assertEquals(401, e.status());
            assertTrue(e.getMessage().contains("UNAUTHORIZED authentication required"), e.getMessage());
            assertTrue(e.getMessage().contains("the test's wrong password"), e.getMessage());
            String basic = Base64.getEncoder().encodeToString((LocalRegistry.USER + ":" + wrong).getBytes());
            for (String text : List.of(e.getMessage(), log.all(), String.valueOf(bad))) {
                assertFalse(text.contains(wrong) || text.contains(basic), text);
                assertFalse(text.contains(LocalRegistry.PASSWORD), text);
            }
        }
    }
}
