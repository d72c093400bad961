package io.captainos.core.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.initramfs.Preload;
import io.captainos.core.oci.ArtifactImages.NamedFile;
import io.captainos.testing.RecordingLog;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images preloaded into the initramfs: taken from a real registry (Debian's docker-registry) or an OCI layout for
 * one arch, written as OCI archives in an uncompressed CPIO that GNU cpio and tar unpack and umoci reads.
 */
class PreloadTest {
    private static final long CLAMP = 1_767_225_600L;
    private static final String NAME = "10.0.2.2:5000/tinkerbell/tink-agent:v1";

    @TempDir
    static Path tmp;

    static LocalRegistry registry;
    static Map<Arch, List<NamedFile>> files;
    static OciLayout layout;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.start(tmp.resolve("registry"), false);
        files = ArtifactImagesTest.files(tmp.resolve("out"), 7);
        layout = ArtifactImagesTest.layout(tmp.resolve("layout"), files);
        OciTransfer.push(
                layout,
                ArtifactImagesTest.TAGS.base(),
                RegistryTransferTest.client(registry.address(), "tinkerbell/tink-agent", new RecordingLog()),
                "v1",
                List.of());
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    private static Preload preload(Arch arch) {
        return new Preload(arch, e -> Preload.client(e, BuildLog.silent()), BuildLog.silent());
    }

    /** The digest of the arch's manifest in the layout's combined image. */
    private static String manifestOf(Arch arch) {
        Map<String, Object> index = ArtifactImagesTest.doc(layout, layout.tags().get(ArtifactImagesTest.TAGS.base()));
        return Json.list(index.get("manifests"), "manifests").stream()
                .map(o -> Descriptor.fromJson(o, "entry"))
                .filter(d -> ("linux/" + arch.debian()).equals(d.platform()))
                .findFirst()
                .orElseThrow()
                .digest();
    }

    private static String run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }

    /** The segment unpacked by GNU cpio, its one archive by tar: the OCI layout the machine's containerd imports. */
    private static Path unpack(Path segment, String name) throws Exception {
        Path root = Files.createDirectories(tmp.resolve(name));
        run(root, "sh", "-c", "cpio -idm --quiet < " + segment);
        Path dir = root.resolve(Preload.DIR);
        List<Path> archives;
        try (var s = Files.list(dir)) {
            archives = s.toList();
        }
        assertEquals(1, archives.size(), archives.toString());
        assertEquals("01-tink-agent.tar", archives.get(0).getFileName().toString());
        Path oci = Files.createDirectories(tmp.resolve(name + "-oci"));
        run(oci, "tar", "-xf", archives.get(0).toString());
        return oci;
    }

    private static void assertUmociUnpacks(Path oci, String tag, Arch arch, String bundle) throws Exception {
        run(
                tmp,
                "/usr/bin/umoci",
                "unpack",
                "--image",
                oci + ":" + tag,
                tmp.resolve(bundle).toString());
        for (NamedFile f : files.get(arch)) {
            assertArrayEquals(
                    Files.readAllBytes(f.path()),
                    Files.readAllBytes(tmp.resolve(bundle).resolve("rootfs").resolve(f.name())),
                    f.name());
        }
    }

    @Test
    void aReferenceIsPreloadedAsItsArchsImageUnderTheNameTheMachinePulls() throws Exception {
        List<Preload.Entry> entries =
                Preload.Entry.parseList(registry.address() + "/tinkerbell/tink-agent:v1=" + NAME, tmp);
        Preload p = preload(Arch.ARM64);
        List<Preload.Resolved> resolved = p.resolve(entries);
        String arm64 = manifestOf(Arch.ARM64);
        assertEquals(arm64, resolved.get(0).manifest().digest(), "the arm64 entry of the index");

        Path segment = tmp.resolve("preload.cpio");
        long size = p.write(resolved, tmp.resolve("work"), segment, CLAMP);
        assertEquals(Files.size(segment), size);
        assertEquals(0, size % 512, "whole blocks: the kernel finds the next archive on a 4-byte boundary");
        Path oci = unpack(segment, "from-registry");
        String index = Files.readString(oci.resolve("index.json"));
        assertTrue(index.contains("\"io.containerd.image.name\":\"" + NAME + "\""), index);
        assertTrue(index.contains("\"org.opencontainers.image.ref.name\":\"v1\""), index);
        assertTrue(index.contains(arm64), index);
        assertUmociUnpacks(oci, "v1", Arch.ARM64, "bundle-registry");

        // the same inputs give the same bytes
        Path again = tmp.resolve("preload-again.cpio");
        p.write(p.resolve(entries), tmp.resolve("work"), again, CLAMP);
        assertArrayEquals(Files.readAllBytes(segment), Files.readAllBytes(again));

        // the segment goes first, the OS's zstd archive after it, unchanged
        Path os = tmp.resolve("os.cpio.zst");
        Files.write(os, "zstd archive".getBytes(StandardCharsets.UTF_8));
        Path image = tmp.resolve("initramfs");
        Preload.prepend(segment, os, image);
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(Files.readAllBytes(segment));
        both.write(Files.readAllBytes(os));
        assertArrayEquals(both.toByteArray(), Files.readAllBytes(image));
    }

    @Test
    void anOciLayoutIsPreloadedByTheTagOfItsName() throws Exception {
        String tag = ArtifactImagesTest.TAGS.base();
        List<Preload.Entry> entries =
                Preload.Entry.parseList(" " + layout.dir() + "=ghcr.io/tinkerbell/tink-agent:" + tag + " ", tmp);
        Preload p = preload(Arch.AMD64);
        List<Preload.Resolved> resolved = p.resolve(entries);
        assertEquals(manifestOf(Arch.AMD64), resolved.get(0).manifest().digest());
        Path segment = tmp.resolve("layout.cpio");
        p.write(resolved, tmp.resolve("work-layout"), segment, CLAMP);
        assertUmociUnpacks(unpack(segment, "from-layout"), tag, Arch.AMD64, "bundle-layout");

        CaptainException untagged = assertThrows(
                CaptainException.class,
                () -> p.resolve(Preload.Entry.parseList(layout.dir() + "=ghcr.io/tinkerbell/tink-agent:v9", tmp)));
        assertTrue(untagged.getMessage().contains("none tagged v9"), untagged.getMessage());
    }

    @Test
    void anEntryThatNamesNoImageOrNoNameSaysWhatToWrite() throws Exception {
        Path notLayout = Files.createDirectories(tmp.resolve("not-a-layout"));
        Map<String, String> refused = Map.of(
                "ghcr.io",
                "neither an image reference",
                notLayout.toString(),
                "is not an OCI image layout",
                layout.dir().toString(),
                "an OCI layout needs the name the machine pulls it by",
                "ghcr.io/tinkerbell/tink-agent:v1=tink-agent",
                "is not a full image reference",
                "=ghcr.io/a/b:c",
                "it names no image or folder");
        refused.forEach((entry, why) -> {
            CaptainException e = assertThrows(CaptainException.class, () -> Preload.Entry.parseList(entry, tmp), entry);
            assertTrue(
                    e.getMessage().startsWith("Invalid captain.initramfs.preload entry '" + entry + "'"),
                    e.getMessage());
            assertTrue(e.getMessage().contains(why), e.getMessage());
        });
        assertEquals(List.of(), Preload.Entry.parseList(" , ", tmp));
        assertEquals(
                List.of(new Preload.Entry("ghcr.io/tinkerbell/tink-agent:v1", "ghcr.io/tinkerbell/tink-agent:v1")),
                Preload.Entry.parseList("ghcr.io/tinkerbell/tink-agent:v1", tmp));
    }
}
