package io.captainos.core.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.oci.ArtifactImages.NamedFile;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactImagesTest {
    static final ReleaseTags TAGS =
            new ReleaseTags("v1.2.3-abcdef0", "v1.2.3", "abcdef0123456789abcdef0123456789abcdef01");
    static final ArtifactImages.Metadata META = new ArtifactImages.Metadata(
            "2026-01-01T00:00:00Z",
            "https://example.org/captainos",
            TAGS.revision(),
            TAGS.base(),
            "test",
            "CaptainOS",
            "Apache-2.0");

    /** Four files per arch, named as in out/, with random content of a few hundred KB. */
    static Map<Arch, List<NamedFile>> files(Path dir, long seed) throws Exception {
        Random r = new Random(seed);
        Map<Arch, List<NamedFile>> files = new EnumMap<>(Arch.class);
        for (Arch arch : Arch.values()) {
            List<NamedFile> list = new ArrayList<>();
            for (String name :
                    List.of("vmlinuz-6.12.1-", "initramfs-6.12.1-", "captainos-6.12.1-", "sha256sums-6.12.1-")) {
                String file = name
                        + arch.linux()
                        + (name.startsWith("captainos") ? ".iso" : name.startsWith("sha") ? ".txt" : "");
                byte[] b = new byte[name.startsWith("sha") ? 300 : 100_000 + r.nextInt(300_000)];
                r.nextBytes(b);
                Path p = dir.resolve(file);
                Files.createDirectories(dir);
                Files.write(p, b);
                list.add(new NamedFile(p));
            }
            files.put(arch, list);
        }
        return files;
    }

    static OciLayout layout(Path dir, Map<Arch, List<NamedFile>> files) {
        OciLayout layout = OciLayout.create(dir);
        ReleaseImages.write(new ArtifactImages(layout, META, BuildLog.silent()), TAGS, files);
        return layout;
    }

    static Map<String, Object> doc(OciLayout layout, Descriptor d) {
        return Json.object(Json.parse(layout.read(d), d.digest()), d.digest());
    }

    static List<Descriptor> layers(OciLayout layout, Map<String, Object> manifest) {
        return Json.list(manifest.get("layers"), "layers").stream()
                .map(l -> Descriptor.fromJson(l, "layer"))
                .toList();
    }

    @Test
    void aLayerIsATarOfJustTheFileWithFixedOwnerModeAndTime(@TempDir Path tmp) throws Exception {
        Map<Arch, List<NamedFile>> files = files(tmp.resolve("out"), 1);
        OciLayout layout = layout(tmp.resolve("layout"), files);
        Map<String, Object> index = doc(layout, layout.tags().get("v1.2.3-abcdef0-amd64"));
        Descriptor m =
                Descriptor.fromJson(Json.list(index.get("manifests"), "m").get(0), "m");
        List<Descriptor> layers = layers(layout, doc(layout, m));
        assertEquals(4, layers.size());
        Descriptor vmlinuz = layers.get(0);
        assertEquals(Descriptor.LAYER, vmlinuz.mediaType());
        assertEquals("vmlinuz-6.12.1-x86_64", vmlinuz.annotations().get(Descriptor.TITLE));
        try (InputStream in = Files.newInputStream(layout.blob(vmlinuz.digest()));
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e = tar.getNextEntry();
            assertEquals("vmlinuz-6.12.1-x86_64", e.getName());
            assertEquals(0L, e.getModTime().getTime());
            assertEquals(0L, e.getLongUserId());
            assertEquals(0L, e.getLongGroupId());
            assertEquals("", e.getUserName());
            assertEquals("", e.getGroupName());
            assertEquals(0100644, e.getMode());
            assertArrayEquals(Files.readAllBytes(files.get(Arch.AMD64).get(0).path()), tar.readAllBytes());
            assertNull(tar.getNextEntry());
        }
        assertEquals("sha256:" + Sha256.of(layout.blob(vmlinuz.digest())), vmlinuz.digest());
    }

    @Test
    void configsListTheLayersAsDiffIdsAndBothPlatformsCarryTheSameLayers(@TempDir Path tmp) throws Exception {
        OciLayout layout = layout(tmp.resolve("layout"), files(tmp.resolve("out"), 2));
        for (String tag : List.of("v1.2.3-abcdef0-amd64", "v1.2.3-abcdef0-arm64", "v1.2.3-abcdef0")) {
            Map<String, Object> index = doc(layout, layout.tags().get(tag));
            assertEquals(Descriptor.INDEX, index.get("mediaType"));
            assertEquals(
                    "v1.2.3-abcdef0",
                    Json.object(index.get("annotations"), "a").get("org.opencontainers.image.version"));
            List<Descriptor> entries = Json.list(index.get("manifests"), "m").stream()
                    .map(o -> Descriptor.fromJson(o, "m"))
                    .toList();
            assertEquals(
                    List.of("linux/amd64", "linux/arm64"),
                    entries.stream().map(Descriptor::platform).toList());
            List<List<Descriptor>> layerLists = new ArrayList<>();
            for (Descriptor e : entries) {
                Map<String, Object> manifest = doc(layout, e);
                Map<String, Object> config = doc(layout, Descriptor.fromJson(manifest.get("config"), "c"));
                assertEquals(e.platform(), config.get("os") + "/" + config.get("architecture"));
                assertEquals("2026-01-01T00:00:00Z", config.get("created"));
                List<Descriptor> layers = layers(layout, manifest);
                assertEquals(
                        layers.stream().map(Descriptor::digest).toList(),
                        Json.object(config.get("rootfs"), "rootfs").get("diff_ids"));
                layerLists.add(layers);
            }
            assertEquals(layerLists.get(0), layerLists.get(1));
        }
    }

    @Test
    void theCombinedImageIsMadeOfThePerArchLayers(@TempDir Path tmp) throws Exception {
        OciLayout layout = layout(tmp.resolve("layout"), files(tmp.resolve("out"), 3));
        List<String> perArch = new ArrayList<>();
        for (String tag : List.of("v1.2.3-abcdef0-amd64", "v1.2.3-abcdef0-arm64")) {
            Descriptor m = Descriptor.fromJson(
                    Json.list(doc(layout, layout.tags().get(tag)).get("manifests"), "m")
                            .get(0),
                    "m");
            layers(layout, doc(layout, m)).forEach(l -> perArch.add(l.digest()));
        }
        Descriptor m = Descriptor.fromJson(
                Json.list(doc(layout, layout.tags().get("v1.2.3-abcdef0")).get("manifests"), "m")
                        .get(0),
                "m");
        assertEquals(
                perArch,
                layers(layout, doc(layout, m)).stream().map(Descriptor::digest).toList());
    }

    @Test
    void theSameFilesGiveTheSameDigestsWhateverTheirTimestampsAndFolder(@TempDir Path tmp) throws Exception {
        Map<Arch, List<NamedFile>> a = files(tmp.resolve("a"), 4);
        Map<Arch, List<NamedFile>> b = files(tmp.resolve("b/elsewhere"), 4);
        for (List<NamedFile> l : b.values()) {
            for (NamedFile f : l) {
                Files.setLastModifiedTime(f.path(), FileTime.fromMillis(123_456_789_000L));
            }
        }
        OciLayout one = layout(tmp.resolve("one"), a);
        OciLayout two = layout(tmp.resolve("two"), b);
        assertEquals(one.tags(), two.tags());
        assertArrayEquals(
                Files.readAllBytes(one.dir().resolve("index.json")),
                Files.readAllBytes(two.dir().resolve("index.json")));
        try (var s = Files.list(one.dir().resolve("blobs/sha256"))) {
            for (Path p : s.toList()) {
                assertArrayEquals(
                        Files.readAllBytes(p),
                        Files.readAllBytes(two.dir().resolve("blobs/sha256").resolve(p.getFileName())),
                        p.getFileName().toString());
            }
        }
    }

    @Test
    void onlyOneArchGivesNoCombinedImage(@TempDir Path tmp) throws Exception {
        Map<Arch, List<NamedFile>> files = files(tmp.resolve("out"), 5);
        files.remove(Arch.ARM64);
        OciLayout layout = layout(tmp.resolve("layout"), files);
        assertEquals(
                List.of("v1.2.3-abcdef0-amd64"), new ArrayList<>(layout.tags().keySet()));
    }

    @Test
    void findsTheFilesOfAnArchInOut(@TempDir Path tmp) throws Exception {
        files(tmp, 6);
        List<NamedFile> found = ReleaseImages.fromOut(tmp, Arch.ARM64, null);
        assertEquals(
                List.of(
                        "vmlinuz-6.12.1-aarch64",
                        "initramfs-6.12.1-aarch64",
                        "captainos-6.12.1-aarch64.iso",
                        "sha256sums-6.12.1-aarch64.txt"),
                found.stream().map(NamedFile::name).toList());
        Files.writeString(tmp.resolve("vmlinuz-6.12.2-aarch64"), "x");
        CaptainException two = assertThrows(CaptainException.class, () -> ReleaseImages.fromOut(tmp, Arch.ARM64, null));
        assertTrue(
                two.getMessage().contains("[6.12.1, 6.12.2]")
                        && two.getMessage().contains("kernelVersion"),
                two.getMessage());
        CaptainException missing =
                assertThrows(CaptainException.class, () -> ReleaseImages.fromOut(tmp, Arch.ARM64, "6.12.2"));
        assertTrue(missing.getMessage().contains("initramfs-6.12.2-aarch64"), missing.getMessage());
        assertNull(ReleaseImages.fromOut(tmp.resolve("empty"), Arch.AMD64, null));
    }

    @Test
    void jsonIsCanonicalAndReadsBack() {
        String s = Json.write(Map.of("b", 1, "a", List.of("x\"y\\z\n", true), "c", Map.of("é", "\u0001")));
        assertEquals("{\"a\":[\"x\\\"y\\\\z\\n\",true],\"b\":1,\"c\":{\"é\":\"\\u0001\"}}", s);
        assertEquals(s, Json.write(Json.parse(s, "doc")));
        assertEquals(
                s,
                Json.write(Json.parse(
                        " {\n \"c\" : {\"\\u00e9\":\"\\u0001\"}, \"b\":1,\"a\":[\"x\\\"y\\\\z\\n\"," + " true]}\t",
                        "doc")));
        CaptainException bad = assertThrows(CaptainException.class, () -> Json.parse("{\"a\":}", "the answer"));
        assertTrue(bad.getMessage().startsWith("the answer is not valid JSON"), bad.getMessage());
    }

    @Test
    void tagsComeFromGitOrTheOverride(@TempDir Path tmp) throws Exception {
        assertEquals(
                "v2.0.0-1234567", ReleaseTags.resolve(tmp, "v2.0.0-1234567").base());
        assertEquals(
                "v2.0.0-1234567-arm64",
                ReleaseTags.resolve(tmp, "v2.0.0-1234567").of(Arch.ARM64));
        CaptainException notGit = assertThrows(CaptainException.class, () -> ReleaseTags.resolve(tmp, null));
        assertTrue(notGit.getMessage().contains("captain.oci.tag"), notGit.getMessage());
        assertThrows(CaptainException.class, () -> ReleaseTags.resolve(tmp, "-bad tag"));
        git(tmp, "init", "-q");
        git(tmp, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "one");
        String sha = git(tmp, "rev-parse", "HEAD");
        assertEquals(
                "v0.0.0-" + sha.substring(0, 7), ReleaseTags.resolve(tmp, null).base());
        git(tmp, "tag", "v1.4.0");
        git(tmp, "tag", "other-1");
        ReleaseTags t = ReleaseTags.resolve(tmp, null);
        assertEquals("v1.4.0-" + sha.substring(0, 7), t.base());
        assertEquals(sha, t.revision());
    }

    private static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
