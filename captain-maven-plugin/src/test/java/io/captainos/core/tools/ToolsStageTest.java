package io.captainos.core.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStream;
import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.pipeline.StagePipeline;
import io.captainos.core.pipeline.StageResult;
import io.captainos.core.state.InputHash;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolsStageTest {
    private static final long TIMESTAMP = 1767225600L;

    /** Writes two binaries; counts its calls; its version is an input; can be told to fail. */
    static final class FakeSource implements ToolsSource {
        String version = "1.0";
        int describeCalls;
        int stageCalls;
        RuntimeException failure;
        boolean stray;

        @Override
        public String id() {
            return "fake";
        }

        @Override
        public void describe(Arch arch, InputHash inputs) {
            describeCalls++;
            inputs.value("fake.version", version);
        }

        @Override
        public List<ToolFile> stage(Arch arch, Path root, Path scratch) {
            stageCalls++;
            try {
                Files.writeString(scratch.resolve("download.tmp"), "scratch");
                List<ToolFile> files = new ArrayList<>();
                for (String path : List.of(BundleLayout.BIN + "fakectl", BundleLayout.CNI + "fakenet")) {
                    Path f = root.resolve(path);
                    Files.createDirectories(f.getParent());
                    Files.writeString(f, path + " " + version + "\n");
                    files.add(new ToolFile(path, "fake", version, "fake:" + path, Sha256.of(f)));
                }
                if (failure != null) {
                    throw failure;
                }
                if (stray) {
                    Files.writeString(root.resolve(BundleLayout.BIN + "stray"), "not in the list");
                }
                return files;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @TempDir
    Path work;

    private final FakeSource source = new FakeSource();

    private ToolsStage stage() {
        return new ToolsStage(source, work, TIMESTAMP, 3, "test-1", BuildLog.silent());
    }

    private StageResult build(ToolsStage stage, Arch arch, boolean force) {
        return new StagePipeline(work.resolve("out"), BuildLog.silent()).run(stage.forArch(arch), force);
    }

    private static Map<String, byte[]> unpack(Path bundle, Map<String, Integer> modes) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (InputStream in = new ZstdInputStream(Files.newInputStream(bundle));
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.isFile()) {
                    files.put(e.getName(), tar.readAllBytes());
                    modes.put(e.getName(), e.getMode() & 07777);
                }
            }
        }
        return files;
    }

    @Test
    void buildsOnceThenSkipsUntilAnInputChanges() throws IOException {
        StageResult first = build(stage(), Arch.AMD64, false);
        assertTrue(first.built());
        assertEquals(1, source.stageCalls);
        assertEquals(work.resolve("x86_64").resolve("captainos-tools-x86_64.tar.zst"), first.path(ToolsStage.BUNDLE));
        assertTrue(Files.isRegularFile(first.path(ToolsStage.BUNDLE)));
        assertTrue(Files.isRegularFile(first.path(ToolsStage.MANIFEST)));
        byte[] bundle = Files.readAllBytes(first.path(ToolsStage.BUNDLE));

        StageResult second = build(stage(), Arch.AMD64, false);
        assertFalse(second.built());
        assertEquals(1, source.stageCalls, "an up-to-date stage must not stage again");
        assertEquals(first.path(ToolsStage.BUNDLE), second.path(ToolsStage.BUNDLE));
        assertArrayEquals(bundle, Files.readAllBytes(second.path(ToolsStage.BUNDLE)));

        source.version = "1.1";
        StageResult third = build(stage(), Arch.AMD64, false);
        assertTrue(third.built());
        assertEquals(2, source.stageCalls);
        Map<String, byte[]> files = unpack(third.path(ToolsStage.BUNDLE), new LinkedHashMap<>());
        assertEquals(
                "usr/local/bin/fakectl 1.1\n", new String(files.get("usr/local/bin/fakectl"), StandardCharsets.UTF_8));

        assertFalse(build(stage(), Arch.AMD64, false).built());
        assertEquals(2, source.stageCalls);
    }

    @Test
    void theTemporaryFilesOfAKilledBuildAreRemovedWhenTheStageStartsAgain() throws IOException {
        Path dir = Files.createDirectories(work.resolve("x86_64"));
        Path leftover = Files.writeString(dir.resolve(".captainos-tools-x86_64.tar.zst4411862785219377436.part"), "x");
        Path partial = Files.writeString(dir.resolve(".something.partial"), "x");
        Path kept = Files.writeString(dir.resolve("notes.part"), "not ours: no leading dot");
        build(stage(), Arch.AMD64, false);
        assertFalse(Files.exists(leftover) || Files.exists(partial), "leftovers of a killed build are gone");
        assertTrue(Files.exists(kept));
        build(stage(), Arch.AMD64, false);
        try (var s = Files.list(dir)) {
            assertTrue(
                    s.noneMatch(p -> p.getFileName().toString().endsWith(".part")
                            && p.getFileName().toString().startsWith(".")),
                    "an up-to-date run leaves none either");
        }
    }

    @Test
    void otherStageSettingsAreInputsToo() {
        build(stage(), Arch.AMD64, false);
        assertTrue(build(new ToolsStage(source, work, TIMESTAMP + 1, 3, "test-1", BuildLog.silent()), Arch.AMD64, false)
                .built());
        assertTrue(build(new ToolsStage(source, work, TIMESTAMP + 1, 3, "test-2", BuildLog.silent()), Arch.AMD64, false)
                .built());
        assertEquals(3, source.stageCalls);
    }

    @Test
    void forceRebuilds() {
        build(stage(), Arch.AMD64, false);
        assertTrue(build(stage(), Arch.AMD64, true).built());
        assertEquals(2, source.stageCalls);
        assertFalse(build(stage(), Arch.AMD64, false).built());
    }

    @Test
    void deletedBundleOrManifestRebuilds() throws IOException {
        StageResult first = build(stage(), Arch.AMD64, false);
        byte[] bundle = Files.readAllBytes(first.path(ToolsStage.BUNDLE));
        Files.delete(first.path(ToolsStage.BUNDLE));
        StageResult again = build(stage(), Arch.AMD64, false);
        assertTrue(again.built());
        assertEquals(2, source.stageCalls);
        assertArrayEquals(
                bundle, Files.readAllBytes(again.path(ToolsStage.BUNDLE)), "same inputs must give the same bundle");

        Files.delete(again.path(ToolsStage.MANIFEST));
        assertTrue(build(stage(), Arch.AMD64, false).built());
        assertEquals(3, source.stageCalls);
    }

    @Test
    void archesAreSeparate() {
        build(stage(), Arch.AMD64, false);
        StageResult arm = build(stage(), Arch.ARM64, false);
        assertTrue(arm.built());
        assertEquals(work.resolve("aarch64").resolve("captainos-tools-aarch64.tar.zst"), arm.path(ToolsStage.BUNDLE));
        assertFalse(build(stage(), Arch.AMD64, false).built());
    }

    @Test
    void manifestListsEveryFileWithItsDigest() throws IOException {
        StageResult r = build(stage(), Arch.AMD64, false);
        Map<String, Integer> modes = new LinkedHashMap<>();
        Map<String, byte[]> files = unpack(r.path(ToolsStage.BUNDLE), modes);
        assertEquals(
                List.of("opt/cni/bin/fakenet", "usr/local/bin/fakectl", BundleLayout.MANIFEST),
                new ArrayList<>(files.keySet()));
        String manifest = new String(files.get(BundleLayout.MANIFEST), StandardCharsets.UTF_8);
        assertEquals(
                Files.readString(r.path(ToolsStage.MANIFEST)), manifest, "the manifest beside the bundle is the same");
        List<String> lines = List.of(manifest.split("\n"));
        assertEquals(ToolFile.HEADER, lines.get(0));
        assertEquals(3, lines.size());
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            assertEquals(5, f.length, line);
            assertTrue(files.containsKey(f[0]), line);
            assertEquals(Sha256.of(files.get(f[0])), f[4], line);
            assertEquals("fake", f[1]);
            assertEquals("1.0", f[2]);
            assertEquals(0755, modes.get(f[0]), f[0] + " must be executable");
        }
        assertEquals(0644, modes.get(BundleLayout.MANIFEST));
        assertFalse(Files.exists(work.resolve("x86_64").resolve("scratch")), "scratch is removed after a build");
    }

    private List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .map(p -> dir.relativize(p).toString())
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    @Test
    void failureLeavesNoStampAndNoNewBundle() throws IOException {
        source.failure = new CaptainException("mirror exploded");
        CaptainException e = assertThrows(CaptainException.class, () -> build(stage(), Arch.AMD64, false));
        assertEquals("mirror exploded", e.getMessage());
        Path dir = work.resolve("x86_64");
        assertFalse(Files.exists(dir.resolve("inputs.stamp")));
        assertFalse(Files.exists(ToolsStage.outputs(work, Arch.AMD64).path(ToolsStage.BUNDLE)));
        assertFalse(Files.exists(ToolsStage.outputs(work, Arch.AMD64).path(ToolsStage.MANIFEST)));
        assertTrue(
                files(dir).stream().noneMatch(f -> f.startsWith("scratch")),
                files(dir).toString());
        assertTrue(
                files(dir).stream().noneMatch(f -> f.endsWith(".part")),
                files(dir).toString());

        source.failure = null;
        assertTrue(build(stage(), Arch.AMD64, false).built());
        assertEquals(2, source.stageCalls);
    }

    @Test
    void failureAfterASuccessfulBuildForcesTheNextBuild() throws IOException {
        build(stage(), Arch.AMD64, false);
        byte[] old = Files.readAllBytes(ToolsStage.outputs(work, Arch.AMD64).path(ToolsStage.BUNDLE));
        source.version = "2.0";
        source.failure = new CaptainException("checksum mismatch");
        assertThrows(CaptainException.class, () -> build(stage(), Arch.AMD64, false));
        assertFalse(Files.exists(work.resolve("x86_64").resolve("inputs.stamp")));
        assertArrayEquals(
                old,
                Files.readAllBytes(ToolsStage.outputs(work, Arch.AMD64).path(ToolsStage.BUNDLE)),
                "the old bundle is untouched");

        // back to the inputs of the finished build: it must still build, since the stamp is gone
        source.version = "1.0";
        source.failure = null;
        assertTrue(build(stage(), Arch.AMD64, false).built());
        assertEquals(3, source.stageCalls);
    }

    /** What the bundle holds is read back and must be exactly what the source staged. */
    @Test
    void aBundleWithAFileTheSourceDidNotStageIsNotRecorded() {
        source.stray = true;
        CaptainException e = assertThrows(CaptainException.class, () -> build(stage(), Arch.AMD64, false));
        assertTrue(e.getMessage().contains("unexpected [usr/local/bin/stray]"), e.getMessage());
        assertFalse(Files.exists(work.resolve("x86_64").resolve("inputs.stamp")));
        source.stray = false;
        assertTrue(build(stage(), Arch.AMD64, false).built());
    }
}
