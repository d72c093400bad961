package io.captainos.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.testing.RecordingLog;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real processes: this one, and a second JVM that takes the lock as another build would. */
class StageLockTest {
    @TempDir
    Path dir;

    /** The other build: holds the folder's lock until it is killed. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (StageLock held = StageLock.acquire(Path.of(args[0]), "initramfs", Duration.ZERO, BuildLog.silent())) {
                System.out.println("held");
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
        }
    }

    private static Process holder(Path folder) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Holder.class.getName(),
                        folder.toString())
                .redirectErrorStream(true)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("held", out.readLine());
        return p;
    }

    @Test
    void aSecondBuildWaitsNamingTheHolderThenFailsAfterTheTimeout() throws Exception {
        Path folder = dir.resolve("build/initramfs");
        Process other = holder(folder);
        try {
            RecordingLog log = new RecordingLog();
            long start = System.nanoTime();
            CaptainException e = assertThrows(
                    CaptainException.class, () -> StageLock.acquire(folder, "initramfs", Duration.ofSeconds(2), log));
            assertTrue(System.nanoTime() - start >= TimeUnit.SECONDS.toNanos(2), "it waited");
            String pid = "pid " + other.pid();
            assertTrue(e.getMessage().contains(pid) && e.getMessage().contains("captain.lock.timeout"), e.getMessage());
            assertTrue(
                    log.lines.size() == 1
                            && log.all().contains("waiting")
                            && log.all().contains(pid),
                    log.all());
        } finally {
            other.destroyForcibly().waitFor();
        }
    }

    @Test
    void aKilledHoldersLockIsTakenOverAndTheWaiterGetsItOnceTheHolderEnds() throws Exception {
        Path folder = dir.resolve("build/tools");
        Process other = holder(folder);
        long pid = other.pid();
        Thread killer = new Thread(() -> {
            try {
                Thread.sleep(1500);
                other.destroyForcibly().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        killer.start();
        RecordingLog log = new RecordingLog();
        try (StageLock held = StageLock.acquire(folder, "tools", Duration.ofSeconds(60), log)) {
            assertTrue(log.lines.get(0).contains("waiting"), log.all());
            assertTrue(
                    log.lines.get(1).contains("taking over") && log.lines.get(1).contains("pid " + pid), log.all());
            String file = Files.readString(folder.resolve(".lock"));
            assertTrue(file.startsWith("pid " + ProcessHandle.current().pid() + " on "), file);
        } finally {
            killer.join();
        }
        assertEquals("", Files.readString(folder.resolve(".lock")), "a released lock names nobody");
        try (StageLock again = StageLock.acquire(folder, "tools", Duration.ZERO, BuildLog.silent())) {
            assertTrue(Files.exists(folder.resolve(".lock")));
        }
    }

    @Test
    void twoStagesOfOneProcessDoNotShareAHold() throws Exception {
        Path folder = dir.resolve("build/iso");
        try (StageLock first = StageLock.acquire(folder, "iso", Duration.ZERO, BuildLog.silent())) {
            assertThrows(
                    CaptainException.class, () -> StageLock.acquire(folder, "iso", Duration.ZERO, BuildLog.silent()));
        }
    }
}
