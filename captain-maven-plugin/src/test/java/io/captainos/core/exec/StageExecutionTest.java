package io.captainos.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Mode;
import io.captainos.core.Stage;
import io.captainos.testing.RecordingLog;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageExecutionTest {
    private final RecordingLog log = new RecordingLog();

    /** A Docker side that answers as told and hands out a runner it records. */
    private static final class FakeDocker implements StageExecution.Docker {
        private final boolean available;
        private final List<Stage> asked = new ArrayList<>();
        private final CommandRunner runner = new NativeRunner(BuildLog.silent());

        FakeDocker(boolean available) {
            this.available = available;
        }

        @Override
        public StageExecution.Answer probe() {
            return new StageExecution.Answer(
                    available,
                    available
                            ? "a Docker engine answers at unix:///x"
                            : "No Docker engine at unix:///x (default): the socket /x does not exist");
        }

        @Override
        public CommandRunner runner(Stage stage) {
            if (!available) {
                throw new CaptainException(
                        "No Docker engine at unix:///x: start one, or use -D" + stage.modeProperty() + "=native");
            }
            asked.add(stage);
            return runner;
        }
    }

    private StageExecution execution(FakeDocker docker) {
        return new StageExecution(docker, log);
    }

    @Test
    void autoWithoutAnEngineIsNativeAndSaysWhy() {
        FakeDocker docker = new FakeDocker(false);
        StageExecution.Resolved r = execution(docker).resolve(Stage.KERNEL, Mode.AUTO);
        assertEquals(Mode.AUTO, r.configured());
        assertEquals(Mode.NATIVE, r.mode());
        assertEquals(Stage.KERNEL, r.stage());
        assertTrue(r.reason().contains("No Docker engine"), r.reason());
        assertFalse(r.skipped());
        assertFalse(r.inBuilder());
        assertInstanceOf(NativeRunner.class, r.runner());
        assertTrue(docker.asked.isEmpty());
        assertTrue(
                log.lines.stream().anyMatch(m -> m.startsWith("INFO kernel stage: native (No Docker engine")),
                log.all());
    }

    @Test
    void autoWithAnEngineRunsInTheBuilder() {
        FakeDocker docker = new FakeDocker(true);
        StageExecution.Resolved r = execution(docker).resolve(Stage.ISO, Mode.AUTO);
        assertEquals(Mode.DOCKER, r.mode());
        assertTrue(r.inBuilder());
        assertSame(docker.runner, r.runner());
        assertEquals(List.of(Stage.ISO), docker.asked);
        assertTrue(
                log.lines.contains("INFO iso stage: docker (a Docker engine answers at unix:///x: docker)"), log.all());
    }

    @Test
    void nativeResolvesToNativeRunnerWithoutAskingDocker() {
        FakeDocker docker = new FakeDocker(true);
        StageExecution.Resolved r = execution(docker).resolve(Stage.TOOLS, Mode.NATIVE);
        assertEquals(Mode.NATIVE, r.mode());
        assertFalse(r.skipped());
        assertInstanceOf(NativeRunner.class, r.runner());
        assertTrue(docker.asked.isEmpty());
    }

    @Test
    void dockerModeWithoutAnEngineFailsNamingTheNativeSetting() {
        StageExecution ex = execution(new FakeDocker(false));
        for (Stage stage : Stage.values()) {
            CaptainException e = assertThrows(CaptainException.class, () -> ex.resolve(stage, Mode.DOCKER));
            assertTrue(e.getMessage().contains("-Dcaptain." + stage.id() + ".mode=native"), e.getMessage());
        }
    }

    @Test
    void describeStartsNothing() {
        FakeDocker docker = new FakeDocker(true);
        StageExecution.Resolved r = execution(docker).describe(Stage.ISO, Mode.DOCKER);
        assertEquals(Mode.DOCKER, r.mode());
        assertNull(r.runner());
        assertTrue(docker.asked.isEmpty());
    }

    @Test
    void skipIsSkipped() {
        StageExecution.Resolved r = execution(new FakeDocker(true)).resolve(Stage.INITRAMFS, Mode.SKIP);
        assertTrue(r.skipped());
        assertEquals(Mode.SKIP, r.mode());
        assertNull(r.runner());
    }
}
