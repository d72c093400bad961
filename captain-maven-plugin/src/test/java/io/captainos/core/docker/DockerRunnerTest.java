package io.captainos.core.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.CaptainException;
import io.captainos.core.exec.Command;
import io.captainos.testing.RecordingLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerRunnerTest {
    @TempDir
    Path dir;

    private final RecordingLog log = new RecordingLog();

    private DockerRunner runner(FakeEngine engine) {
        return new DockerRunner(
                engine,
                new BuilderImage.Built("captainos-builder:abc", "sha256:1234"),
                "kernel",
                List.of(dir.resolve("root"), dir.resolve("root/build"), dir.resolve("cache")),
                Map.of("HOME", "/tmp", "CCACHE_DIR", "/c"),
                log);
    }

    @Test
    void runsEachCommandWithTheFoldersAtTheirOwnPathsAsTheCaller() throws Exception {
        FakeEngine engine = new FakeEngine();
        engine.stdout = List.of("  CC      init/main.o");
        runner(engine)
                .run(new Command(
                        List.of("make", "-C", "src"),
                        dir.resolve("root/build"),
                        Map.of("CCACHE_DIR", "/own", "LC_ALL", "C")));
        DockerEngine.Container c = engine.containers.get(0);
        assertEquals("captainos-builder:abc", c.image());
        assertEquals(List.of("make", "-C", "src"), c.command());
        assertEquals(dir.resolve("root/build").toString(), c.workingDir());
        assertEquals(
                Map.of(dir.resolve("root"), dir.resolve("root"), dir.resolve("cache"), dir.resolve("cache")),
                c.binds(),
                "a folder inside another is not mounted twice");
        String self = Files.getAttribute(Path.of("/proc/self"), "unix:uid") + ":"
                + Files.getAttribute(Path.of("/proc/self"), "unix:gid");
        assertEquals(self, c.user());
        assertEquals(
                Map.of("HOME", "/tmp", "CCACHE_DIR", "/own", "LC_ALL", "C"),
                c.environment(),
                "the command's own variables win");
        assertTrue(c.capabilities().isEmpty() && c.securityOptions().isEmpty());
        assertTrue(log.lines.contains("INFO   [kernel]   CC      init/main.o"), log.all());
        assertTrue(Files.isDirectory(dir.resolve("cache")), "a mounted folder exists before the engine sees it");
    }

    @Test
    void captureKeepsStandardOutputOnly() {
        FakeEngine engine = new FakeEngine();
        engine.stdout = List.of("6.12.117-captainos");
        engine.stderr = List.of("make: Entering directory");
        assertEquals("6.12.117-captainos\n", runner(engine).capture(Command.of(null, "make", "-s", "kernelrelease")));
        assertEquals(dir.resolve("root").toString(), engine.containers.get(0).workingDir());
    }

    @Test
    void aFailingCommandNamesItselfTheImageAndItsLastLines() {
        FakeEngine engine = new FakeEngine();
        engine.stdout = List.of("step one", "error: no rule to make target");
        engine.exitCode = 2;
        CaptainException e =
                assertThrows(CaptainException.class, () -> runner(engine).run(Command.of(null, "make", "bzImage")));
        String m = e.getMessage();
        assertTrue(m.contains("exit code 2"), m);
        assertTrue(m.contains("make bzImage"), m);
        assertTrue(m.contains("captainos-builder:abc"), m);
        assertTrue(m.contains("error: no rule to make target"), m);
    }

    @Test
    void exitCodeIsReturnedNotThrown() {
        FakeEngine engine = new FakeEngine();
        engine.exitCode = 7;
        assertEquals(7, runner(engine).exitCode(Command.of(null, "/bin/bash", "-c", "exit 7")));
    }

    @Test
    void imageBuildsRunAsRootWithTheLeastMkosiNeeds() {
        FakeEngine engine = new FakeEngine();
        DockerRunner r = runner(engine).forImageBuilds();
        r.run(Command.of(null, "python3", "-m", "mkosi", "build"));
        DockerEngine.Container c = engine.containers.get(0);
        assertEquals("0:0", c.user());
        assertEquals(List.of("SYS_ADMIN"), c.capabilities());
        assertTrue(c.securityOptions().contains("seccomp=unconfined"));
        assertFalse(c.securityOptions().stream().anyMatch(o -> o.contains("privileged")));
    }

    @Test
    void filesAnImageBuildWroteAsRootGoBackToTheCaller() throws Exception {
        FakeEngine engine = new FakeEngine();
        Files.createDirectories(dir.resolve("root/build/mkosi-out"));
        DockerRunner asUser = new DockerRunner(
                engine,
                new BuilderImage.Built("captainos-builder:abc", "sha256:1"),
                "initramfs",
                List.of(dir.resolve("root")),
                Map.of(),
                log,
                "1000:1000");
        asUser.handBack(List.of(dir.resolve("root/build/mkosi-out")));
        assertTrue(engine.containers.isEmpty(), "the caller's own runner wrote nothing as root");
        asUser.forImageBuilds().handBack(List.of(dir.resolve("root/build/mkosi-out"), dir.resolve("gone")));
        DockerEngine.Container c = engine.containers.get(0);
        assertEquals("0:0", c.user());
        assertEquals(
                List.of(
                        "chown",
                        "-R",
                        "--no-dereference",
                        "1000:1000",
                        dir.resolve("root/build/mkosi-out").toString()),
                c.command());
    }

    @Test
    void identityIsTheImage() {
        assertEquals("docker sha256:1234", runner(new FakeEngine()).identity());
    }
}
