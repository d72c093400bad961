package io.captainos.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Mode;
import io.captainos.core.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class StageExecutionTest {
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

    private StageExecution execution() {
        return new StageExecution(new DockerProbe(Map.of()), log);
    }

    private static void assumeNoDockerSocket() {
        Assumptions.assumeFalse(Files.exists(Path.of("/var/run/docker.sock")),
                "a Docker socket exists on this machine");
    }

    @Test
    void probeWithoutDockerHostOrSocketSaysSo() {
        assumeNoDockerSocket();
        DockerProbe.Answer a = new DockerProbe(Map.of()).probe();
        assertFalse(a.available());
        assertTrue(a.reason().contains("DOCKER_HOST"), a.reason());
    }

    @Test
    void autoResolvesToNativeWithDockerReason() {
        assumeNoDockerSocket();
        StageExecution.Resolved r = execution().resolve(Stage.KERNEL, Mode.AUTO);
        assertEquals(Mode.AUTO, r.configured());
        assertEquals(Mode.NATIVE, r.mode());
        assertEquals(Stage.KERNEL, r.stage());
        assertTrue(r.reason().contains("Docker"), r.reason());
        assertFalse(r.skipped());
        assertInstanceOf(NativeRunner.class, r.runner());
        assertTrue(infos.stream().anyMatch(m -> m.startsWith("kernel stage: native")), infos.toString());
    }

    @Test
    void nativeResolvesToNativeRunner() {
        StageExecution.Resolved r = execution().resolve(Stage.TOOLS, Mode.NATIVE);
        assertEquals(Mode.NATIVE, r.mode());
        assertFalse(r.skipped());
        assertInstanceOf(NativeRunner.class, r.runner());
    }

    @Test
    void dockerModeFailsNamingTheNativeSetting() {
        StageExecution ex = execution();
        for (Stage stage : Stage.values()) {
            CaptainException e = assertThrows(CaptainException.class, () -> ex.resolve(stage, Mode.DOCKER));
            String m = e.getMessage();
            assertTrue(m.contains("-Dcaptain." + stage.id() + ".mode=native"), m);
            assertTrue(m.contains(stage.modeEnv() + "=native"), m);
        }
    }

    @Test
    void describeDoesNotFailForDocker() {
        StageExecution.Resolved r = execution().describe(Stage.ISO, Mode.DOCKER);
        assertEquals(Mode.DOCKER, r.mode());
        assertNull(r.runner());
    }

    @Test
    void skipIsSkipped() {
        StageExecution.Resolved r = execution().resolve(Stage.INITRAMFS, Mode.SKIP);
        assertTrue(r.skipped());
        assertEquals(Mode.SKIP, r.mode());
        assertNull(r.runner());
    }
}
