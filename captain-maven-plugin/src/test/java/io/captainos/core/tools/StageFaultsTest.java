package io.captainos.core.tools;

import static io.captainos.testing.Prerequisite.require;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.ReleaseFiles;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.pipeline.StagePipeline;
import io.captainos.core.state.InputHash;
import io.captainos.core.state.StageLock;
import io.captainos.core.state.StageOutputs;
import io.captainos.core.state.StageWork;
import io.captainos.testing.RecordingLog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults a hostile user causes, on the real pipeline with real processes: two builds of one stage in one folder at
 * once, a build killed with SIGKILL in the middle of its stage, and a full disk under {@code build/} and {@code out/}.
 * The stage is the tools bundle with a source whose files are 2 MiB of fixed random bytes (so the bundle is about as
 * large, whatever zstd does) and which can take its time.
 */
class StageFaultsTest {
    private static final long TIMESTAMP = 1767225600L;

    @TempDir
    Path dir;

    /** Two executables of fixed random bytes; waits {@code pause} in the middle, after writing the first. */
    static final class BigSource implements ToolsSource {
        private final Duration pause;

        BigSource(Duration pause) {
            this.pause = pause;
        }

        @Override
        public String id() {
            return "big";
        }

        @Override
        public void describe(Arch arch, InputHash inputs) {
            inputs.value("big", "1");
        }

        @Override
        public List<ToolFile> stage(Arch arch, Path root, Path scratch) {
            List<ToolFile> files = new ArrayList<>();
            try {
                for (String path : List.of(BundleLayout.BIN + "bigctl", BundleLayout.CNI + "bignet")) {
                    byte[] body = new byte[1 << 20];
                    new Random(path.hashCode()).nextBytes(body);
                    Path f = root.resolve(path);
                    Files.createDirectories(f.getParent());
                    Files.write(f, body);
                    files.add(new ToolFile(path, "big", "1", "test:" + path, Sha256.of(f)));
                    if (files.size() == 1 && !pause.isZero()) {
                        System.out.println("staging");
                        System.out.flush();
                        Thread.sleep(pause.toMillis());
                    }
                }
            } catch (IOException e) {
                throw new CaptainException("Cannot stage: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return files;
        }
    }

    /** One build in a process of its own, as the stage goal runs it: the folder's lock, then the pipeline. */
    public static final class Build {
        public static void main(String[] args) {
            Path work = Path.of(args[0]);
            BuildLog log = new BuildLog() {
                @Override
                public void info(String m) {
                    System.out.println(m);
                    System.out.flush();
                }

                @Override
                public void warn(String m) {
                    info(m);
                }

                @Override
                public void debug(String m) {}
            };
            try (StageLock held = StageLock.acquire(work, "tools", Duration.ofMinutes(2), log)) {
                new StagePipeline(work.resolve("out"), log)
                        .run(
                                stage(work, Duration.ofMillis(Long.parseLong(args[1])), log)
                                        .forArch(Arch.AMD64),
                                false);
            }
            System.out.println("done");
        }
    }

    private static ToolsStage stage(Path work, Duration pause, BuildLog log) {
        return new ToolsStage(new BigSource(pause), work, TIMESTAMP, 3, "faults", log);
    }

    private static Path bundle(Path work) {
        return ToolsStage.outputs(work, Arch.AMD64).path(ToolsStage.BUNDLE);
    }

    private static Process start(Path work, long pauseMillis) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Build.class.getName(),
                        work.toString(),
                        Long.toString(pauseMillis))
                .redirectErrorStream(true)
                .start();
    }

    /** Reads a build's output until it says it is in the middle of its stage; fails if it ends first. */
    private static void inTheMiddleOfItsStage(Process build) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(build.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.equals("staging")) {
            // not yet
        }
        assertTrue(line != null, "the build ended before it reached the middle of its stage");
    }

    /** What a clean build in a folder of its own writes. */
    private byte[] clean() throws IOException {
        Path work = dir.resolve("clean");
        new StagePipeline(work.resolve("out"), BuildLog.silent())
                .run(stage(work, Duration.ZERO, BuildLog.silent()).forArch(Arch.AMD64), false);
        return Files.readAllBytes(bundle(work));
    }

    private static List<String> leftovers(Path work) throws IOException {
        try (Stream<Path> s = Files.walk(work)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(".") && (n.endsWith(".part") || n.endsWith(".partial")))
                    .toList();
        }
    }

    @Test
    void twoBuildsOfOneStageInOneFolderAtOnceEndWithOneCompleteBundle() throws Exception {
        Path work = dir.resolve("shared");
        Process first = start(work, 3000);
        inTheMiddleOfItsStage(first);
        Process second = start(work, 3000);
        String secondOut = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, second.waitFor(), secondOut);
        assertEquals(0, first.waitFor());
        assertTrue(
                secondOut.contains(
                        "tools: waiting for another build of this folder to finish (held by pid " + first.pid() + " "),
                secondOut);
        assertTrue(
                secondOut.contains("tools (x86_64): up to date"), "the second finds the first's bundle: " + secondOut);
        assertArrayEquals(clean(), Files.readAllBytes(bundle(work)), "the same bytes as a clean build");
        assertEquals(List.of(), leftovers(work));
    }

    @Test
    void aBuildKilledInTheMiddleOfItsStageLeavesNothingFinishedLookingAndTheRerunGivesTheSameBytes() throws Exception {
        Path work = dir.resolve("killed");
        Process build = start(work, 60_000);
        inTheMiddleOfItsStage(build);
        build.destroyForcibly();
        assertTrue(build.waitFor(30, TimeUnit.SECONDS));
        assertFalse(Files.exists(bundle(work)), "no finished-looking bundle");
        assertFalse(Files.exists(ToolsStage.outputs(work, Arch.AMD64).stamp()), "no record");

        RecordingLog log = new RecordingLog();
        new StagePipeline(work.resolve("out"), log)
                .run(stage(work, Duration.ZERO, log).forArch(Arch.AMD64), false);
        assertTrue(log.all().contains("tools (x86_64): building from big"), log.all());
        assertArrayEquals(clean(), Files.readAllBytes(bundle(work)));
        assertEquals(List.of(), leftovers(work));
    }

    /** A 1 MiB tmpfs; the caller unmounts it. */
    private Path smallDisk(String name) throws Exception {
        require(
                "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/mount")),
                "root and mount, to make a small tmpfs");
        Path small = Files.createDirectories(dir.resolve(name));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", small.toString())
                .redirectErrorStream(true)
                .start();
        String mounted = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        require(mount.waitFor() == 0, "a tmpfs mount (" + mounted.strip() + ")");
        return small;
    }

    private static void unmount(Path small) throws Exception {
        new ProcessBuilder("umount", small.toString()).start().waitFor();
    }

    /** A 1 MiB tmpfs as the stage folder: the error names the disk's state, and nothing looks finished. */
    @Test
    void aFullDiskNamesTheFileAndLeavesNothingFinishedLooking() throws Exception {
        Path small = smallDisk("small");
        try {
            CaptainException full = assertThrows(
                    CaptainException.class,
                    () -> new StagePipeline(dir.resolve("out"), BuildLog.silent())
                            .run(stage(small, Duration.ZERO, BuildLog.silent()).forArch(Arch.AMD64), false));
            assertTrue(full.getMessage().contains("No space left on device"), full.getMessage());
            assertFalse(Files.exists(bundle(small)));
            assertFalse(Files.exists(ToolsStage.outputs(small, Arch.AMD64).stamp()));
            assertEquals(List.of(), leftovers(small));
        } finally {
            unmount(small);
        }
    }

    /**
     * A 1 MiB tmpfs as out/ with an initramfs-sized release file to publish: publishing fails naming the file, out/
     * holds no partial file, and the stage is not recorded, so the next build publishes again.
     */
    @Test
    void aFullOutFolderPublishesNothingPartialAndRecordsNothing() throws Exception {
        Path out = smallDisk("out");
        try {
            Path work = dir.resolve("work");
            StageOutputs outputs = new StageOutputs(
                    "fake",
                    Arch.AMD64,
                    "image",
                    work,
                    true,
                    List.of(StageOutputs.File.kept("image", "image.bin").published(ReleaseFiles.Kind.INITRAMFS)));
            StageWork big = new StageWork(outputs) {
                @Override
                public InputHash inputs() {
                    return stageInputs();
                }

                @Override
                public String plan() {
                    return "writing 2 MiB";
                }

                @Override
                public String build() throws IOException {
                    byte[] body = new byte[2 << 20];
                    new Random(7).nextBytes(body);
                    Files.write(outputs.path("image"), body);
                    return "6.12.57";
                }
            };
            CaptainException e = assertThrows(
                    CaptainException.class, () -> new StagePipeline(out, BuildLog.silent()).run(big, false));
            assertTrue(
                    e.getMessage().contains("initramfs-6.12.57-x86_64")
                            && e.getMessage().contains("No space left on device"),
                    e.getMessage());
            try (Stream<Path> s = Files.list(out)) {
                assertEquals(
                        List.of(".lock"), s.map(p -> p.getFileName().toString()).toList(), "nothing partial");
            }
            assertFalse(Files.exists(outputs.stamp()), "not published, so not recorded");
        } finally {
            unmount(out);
        }
    }
}
