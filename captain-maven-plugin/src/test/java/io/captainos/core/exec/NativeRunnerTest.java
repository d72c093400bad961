package io.captainos.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeRunnerTest {
    private final List<String> infos = new ArrayList<>();
    private final BuildLog log = new BuildLog() {
        @Override
        public void info(String message) {
            infos.add(message);
        }

        @Override
        public void warn(String message) {}

        @Override
        public void debug(String message) {}
    };

    @Test
    void captureReturnsStandardOutput() {
        assertEquals("hi\n", new NativeRunner(log).capture(Command.of(null, "sh", "-c", "echo hi")));
    }

    @Test
    void captureLeavesOutStandardError() {
        assertEquals("out\n", new NativeRunner(log).capture(Command.of(null, "sh", "-c", "echo err >&2; echo out")));
    }

    @Test
    void runStreamsOutputToTheLog() {
        new NativeRunner(log).run(Command.of(null, "sh", "-c", "echo one; echo two >&2"));
        assertTrue(infos.contains("  one"), infos.toString());
        assertTrue(infos.contains("  two"), infos.toString());
    }

    @Test
    void usesDirectoryAndEnvironment(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("marker.txt"), "x");
        Command c = new Command(
                List.of("sh", "-c", "ls; echo \"$CAPTAIN_TEST_VAR\""), dir, Map.of("CAPTAIN_TEST_VAR", "value-42"));
        assertEquals("marker.txt\nvalue-42\n", new NativeRunner(log).capture(c));
    }

    @Test
    void failingCommandReportsExitCodeAndLastLines() {
        Command c = Command.of(null, "sh", "-c", "echo first; echo second-line >&2; exit 3");
        CaptainException e = assertThrows(CaptainException.class, () -> new NativeRunner(log).run(c));
        String m = e.getMessage();
        assertTrue(m.contains("exit code 3"), m);
        assertTrue(m.contains(c.display()), m);
        assertTrue(m.contains("last lines:"), m);
        assertTrue(m.contains("first"), m);
        assertTrue(m.contains("second-line"), m);
    }

    @Test
    void failingCaptureReportsExitCode() {
        CaptainException e = assertThrows(
                CaptainException.class,
                () -> new NativeRunner(log).capture(Command.of(null, "sh", "-c", "echo partial; exit 7")));
        assertTrue(e.getMessage().contains("exit code 7"), e.getMessage());
        assertTrue(e.getMessage().contains("partial"), e.getMessage());
    }

    @Test
    void tailKeepsOnlyTheLastFortyLines() {
        Command c = Command.of(null, "sh", "-c", "i=1; while [ $i -le 100 ]; do echo line$i; i=$((i+1)); done; exit 1");
        CaptainException e = assertThrows(CaptainException.class, () -> new NativeRunner(log).run(c));
        String m = e.getMessage();
        assertTrue(m.contains("line100"), m);
        assertTrue(m.contains("line61\n"), m);
        assertFalse(m.contains("line60\n"), m);
        assertFalse(m.contains("line1\n"), m);
    }

    @Test
    void missingProgramFailsClearly() {
        CaptainException e = assertThrows(
                CaptainException.class,
                () -> new NativeRunner(log).run(Command.of(null, "/nonexistent/captain-no-such-program")));
        assertTrue(e.getMessage().startsWith("Cannot run /nonexistent/captain-no-such-program"), e.getMessage());
    }

    @Test
    void describesThisHost() {
        assertEquals("this host", new NativeRunner(log).describe());
    }

    /** A build that runs a command which starts a process of its own, then waits to be killed. */
    public static final class Build {
        public static void main(String[] args) {
            BuildLog out = new BuildLog() {
                @Override
                public void info(String message) {
                    System.out.println(message.trim());
                    System.out.flush();
                }

                @Override
                public void warn(String message) {}

                @Override
                public void debug(String message) {}
            };
            new NativeRunner(out)
                    .run(Command.of(null, "sh", "-c", "sleep 301 & echo grandchild=$!; echo child=$$; exec sleep 302"));
        }
    }

    @Test
    void aKilledBuildTakesItsCommandAndWhatItStartedWithIt() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process build = new ProcessBuilder(
                        java.toString(), "-cp", System.getProperty("java.class.path"), Build.class.getName())
                .redirectErrorStream(true)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(build.getInputStream(), StandardCharsets.UTF_8));
        long grandchild = -1;
        long child = -1;
        for (String line; (grandchild < 0 || child < 0) && (line = out.readLine()) != null; ) {
            if (line.startsWith("grandchild=")) {
                grandchild = Long.parseLong(line.substring(11));
            } else if (line.startsWith("child=")) {
                child = Long.parseLong(line.substring(6));
            }
        }
        assertTrue(grandchild > 0 && child > 0, "the command started");
        assertTrue(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false));
        build.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook runs
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && (alive(child) || alive(grandchild))) {
            Thread.sleep(50);
        }
        assertFalse(alive(child), "the command outlived the killed build");
        assertFalse(alive(grandchild), "a process the command started outlived the killed build");
    }

    private static boolean alive(long pid) {
        // A zombie waiting for init to reap it is gone for this purpose: /proc/<pid>/stat says Z.
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !zombie(pid);
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException gone) {
            return true;
        }
    }
}
