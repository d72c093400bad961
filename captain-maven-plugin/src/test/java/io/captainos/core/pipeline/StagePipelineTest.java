package io.captainos.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.Arch;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.ReleaseFiles;
import io.captainos.core.state.InputHash;
import io.captainos.core.state.StageLock;
import io.captainos.core.state.StageOutputs;
import io.captainos.core.state.StageWork;
import io.captainos.testing.RecordingLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagePipelineTest {
    @TempDir
    Path tmp;

    private final RecordingLog log = new RecordingLog();

    /** A versioned stage with an image (attached, published) and a kept note; it can forget to write one. */
    final class Fake extends StageWork {
        String input = "a";
        String version = "6.12.57";
        boolean writeNote = true;
        int builds;

        Fake() {
            super(new StageOutputs(
                    "fake",
                    Arch.AMD64,
                    "image",
                    tmp.resolve("build/x86_64"),
                    true,
                    List.of(
                            StageOutputs.File.attached("image", "image.bin", "bin", "x86_64")
                                    .published(ReleaseFiles.Kind.INITRAMFS),
                            StageOutputs.File.kept("note", "note.txt"))));
        }

        @Override
        public InputHash inputs() {
            return stageInputs().value("input", input);
        }

        @Override
        public String plan() {
            return "building " + input;
        }

        @Override
        public String build() throws IOException {
            builds++;
            Files.writeString(outputs().path("image"), "image " + input);
            if (writeNote) {
                Files.writeString(outputs().path("note"), "note");
            }
            return version;
        }
    }

    private Path out() {
        return tmp.resolve("out");
    }

    private StagePipeline pipeline() {
        return new StagePipeline(out(), log);
    }

    @Test
    void buildsRecordsAndPublishesThenSkipsUntilAnInputChanges() throws IOException {
        Fake fake = new Fake();
        StageResult first = pipeline().run(fake, false);
        assertTrue(first.built());
        assertEquals("6.12.57", first.kernelVersion());
        Path published = out().resolve("initramfs-6.12.57-x86_64");
        assertEquals("image a", Files.readString(published));
        assertEquals(published, pipeline().published(first, "image"));
        assertEquals("6.12.57\n", Files.readString(fake.outputs().versionRecord()));
        assertTrue(
                log.all().contains("fake (x86_64): building a (output missing: image.bin, note.txt, kernel.version)"),
                log.all());

        StageResult second = pipeline().run(fake, false);
        assertFalse(second.built());
        assertEquals(1, fake.builds);
        assertEquals("6.12.57", second.kernelVersion(), "the version comes from the record when nothing is built");
        assertTrue(
                log.all()
                        .matches("(?s).*fake \\(x86_64\\): up to date, inputs [0-9a-f]{12}; skipping"
                                + " \\(kernel 6\\.12\\.57\\).*"),
                log.all());

        fake.input = "b";
        assertTrue(pipeline().run(fake, false).built());
        assertEquals("image b", Files.readString(published), "a rebuild publishes the new file");
        assertTrue(pipeline().run(fake, true).built(), "forced");
        assertEquals(3, fake.builds);
    }

    @Test
    void anUpToDateStagePublishesAMissingReleaseFileAgainWithoutBuilding() throws IOException {
        Fake fake = new Fake();
        pipeline().run(fake, false);
        Path published = out().resolve("initramfs-6.12.57-x86_64");
        Files.delete(published);
        assertFalse(pipeline().run(fake, false).built());
        assertEquals("image a", Files.readString(published));
        Files.writeString(published, "someone else's");
        pipeline().run(fake, false);
        assertEquals("image a", Files.readString(published), "a different file under the name is replaced");
        assertEquals(1, fake.builds);
    }

    @Test
    void aBuildThatMissesADeclaredOutputRecordsAndPublishesNothing() {
        Fake fake = new Fake();
        fake.writeNote = false;
        CaptainException e =
                assertThrows(CaptainException.class, () -> pipeline().run(fake, false));
        assertTrue(e.getMessage().contains("fake (x86_64): the build finished without note.txt"), e.getMessage());
        assertFalse(Files.exists(fake.outputs().stamp()));
        assertFalse(Files.exists(fake.outputs().versionRecord()));
        assertFalse(Files.exists(out().resolve("initramfs-6.12.57-x86_64")));
        fake.writeNote = true;
        assertTrue(pipeline().run(fake, false).built(), "the next run builds again");
    }

    @Test
    void aVersionedBuildMustNameItsKernelVersion() {
        Fake fake = new Fake();
        fake.version = null;
        CaptainException e =
                assertThrows(CaptainException.class, () -> pipeline().run(fake, false));
        assertTrue(e.getMessage().contains("named no kernel version"), e.getMessage());
        assertFalse(Files.exists(fake.outputs().stamp()));
    }

    @Test
    void aDeletedVersionRecordRebuilds() throws IOException {
        Fake fake = new Fake();
        pipeline().run(fake, false);
        Files.delete(fake.outputs().versionRecord());
        assertTrue(pipeline().run(fake, false).built());
        assertTrue(log.all().contains("output missing: kernel.version"), log.all());
        Files.writeString(fake.outputs().versionRecord(), "\n");
        assertTrue(pipeline().run(fake, false).built(), "an empty version record is no record");
        assertTrue(log.all().contains("(no kernel version recorded)"), log.all());
    }

    @Test
    void aSkippedStageAttachesOnlyAFinishedEarlierBuild() throws IOException {
        Fake fake = new Fake();
        StageOutputs outputs = fake.outputs();
        assertNull(pipeline().earlier(outputs, "captain.fake.mode"));
        assertTrue(log.all().contains("WARN fake (x86_64): skipped, and no finished earlier image in "), log.all());

        pipeline().run(fake, false);
        StageResult earlier = pipeline().earlier(outputs, "captain.fake.mode");
        assertEquals("6.12.57", earlier.kernelVersion());
        assertFalse(earlier.built());
        assertTrue(
                log.all()
                        .contains("fake (x86_64): skipped; attaching the existing " + outputs.path("image")
                                + " (kernel 6.12.57)"),
                log.all());

        Files.delete(outputs.path("note"));
        CaptainException e =
                assertThrows(CaptainException.class, () -> pipeline().earlier(outputs, "captain.fake.mode"));
        assertTrue(
                e.getMessage().contains("is incomplete") && e.getMessage().contains("-Dcaptain.fake.mode=native"),
                e.getMessage());
    }

    @Test
    void leftoversOfAKilledBuildAreRemovedBeforeTheInputsAreRead() throws IOException {
        Fake fake = new Fake();
        Path dir = Files.createDirectories(fake.outputs().dir());
        Path written = Files2.temporaryFile(fake.outputs().path("image"));
        assertTrue(written.getFileName().toString().matches("\\.image\\.bin\\.\\d+\\.part"), written.toString());
        Path older = Files.writeString(dir.resolve(".image.bin.partial"), "half");
        Path folder = Files2.temporaryFolder(dir.resolve("package"));
        Files.createDirectories(folder.resolve("usr/lib"));
        Files.writeString(folder.resolve("usr/lib/x"), "unpacked half");
        Path kept = Files.writeString(dir.resolve("notes.part"), "not ours: no leading dot");
        pipeline().run(fake, false);
        assertFalse(Files.exists(written) || Files.exists(older) || Files.exists(folder));
        assertTrue(Files.exists(kept));
    }

    /** Another build publishing to out/ holds it: this one waits, and fails after the timeout without a record. */
    @Test
    void publishingWaitsForAnotherBuildThatHoldsTheOutFolder() {
        Fake fake = new Fake();
        try (StageLock other = StageLock.acquire(out(), "other build", Duration.ZERO, log)) {
            CaptainException e = assertThrows(
                    CaptainException.class,
                    () -> new StagePipeline(out(), Duration.ofMillis(600), log).run(fake, false));
            assertTrue(
                    e.getMessage().contains("fake (x86_64) publishing: another build holds")
                            && e.getMessage().contains("captain.lock.timeout"),
                    e.getMessage());
        }
        assertFalse(Files.exists(out().resolve("initramfs-6.12.57-x86_64")));
        assertFalse(Files.exists(fake.outputs().stamp()), "not published, so not recorded");
        assertTrue(pipeline().run(fake, false).built(), "the next run builds and publishes");
        assertTrue(Files.exists(out().resolve("initramfs-6.12.57-x86_64")));
    }
}
