package io.captainos.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        Command c = new Command(List.of("sh", "-c", "ls; echo \"$CAPTAIN_TEST_VAR\""), dir,
                Map.of("CAPTAIN_TEST_VAR", "value-42"));
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
        CaptainException e = assertThrows(CaptainException.class,
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
        CaptainException e = assertThrows(CaptainException.class,
                () -> new NativeRunner(log).run(Command.of(null, "/nonexistent/captain-no-such-program")));
        assertTrue(e.getMessage().startsWith("Cannot run /nonexistent/captain-no-such-program"), e.getMessage());
    }

    @Test
    void describesThisHost() {
        assertEquals("this host", new NativeRunner(log).describe());
    }
}
