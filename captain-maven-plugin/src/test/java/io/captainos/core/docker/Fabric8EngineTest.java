package io.captainos.core.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.Arch;
import io.captainos.core.BuildConfig;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Settings;
import io.captainos.core.debian.DebianArchive;
import io.captainos.core.debian.DebianPackage;
import io.captainos.core.fetch.DownloadCache;
import io.captainos.core.fetch.Downloader;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.sources.Sources;
import io.captainos.testing.Prerequisite;
import io.captainos.testing.RecordingLog;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine adapter against a real Docker engine (the one CI starts, DOCKER_HOST, or the default socket), with an
 * image made here from Debian's busybox-static: containers run, stream, exit, mount and attach for real.
 */
class Fabric8EngineTest {
    private static Fabric8Engine engine;
    private static String image;

    @TempDir
    Path dir;

    static String address() {
        for (String env : List.of("CAPTAIN_IT_DOCKER_HOST", "DOCKER_HOST")) {
            String v = System.getenv(env);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return Fabric8Engine.DEFAULT_HOST;
    }

    @BeforeAll
    static void engineAndImage(@TempDir Path work) throws Exception {
        try {
            engine = Fabric8Engine.connect(address(), "test", BuildLog.silent());
        } catch (CaptainException e) {
            Prerequisite.require(false, "a Docker engine (docker.io's dockerd, or DOCKER_HOST): " + e.getMessage());
        }
        Path cache = Path.of(System.getProperty("user.home"), ".m2/repository/.cache/captainos");
        DebianArchive debian = Sources.debian(
                new BuildConfig(Settings.of(Map.of())),
                new DownloadCache(cache, new Downloader(BuildLog.silent()), BuildLog.silent()),
                BuildLog.silent());
        Arch arch = Arch.host() == null ? Arch.AMD64 : Arch.host();
        DebianPackage busybox =
                debian.resolve(arch.debian(), List.of("busybox-static")).get(0);
        Path tree = debian.unpacked(busybox, work);
        Path binary = Files.isRegularFile(tree.resolve("usr/bin/busybox"))
                ? tree.resolve("usr/bin/busybox")
                : tree.resolve("bin/busybox");
        image = "captainos-test-busybox:" + Sha256.of(binary).substring(0, 12);
        if (engine.imageId(image).isEmpty()) {
            Path context = work.resolve("context.tar");
            BuilderImage.writeContext(
                    context,
                    Map.of(
                            "Dockerfile",
                            ("FROM scratch\nCOPY busybox /bin/busybox\n"
                                            + "RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n")
                                    .getBytes(StandardCharsets.UTF_8)),
                    Map.of("busybox", binary));
            engine.build(image, context, Map.of(), false, line -> {});
        }
    }

    @AfterAll
    static void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private DockerEngine.Container container(List<String> command, String user) {
        return new DockerEngine.Container(
                image,
                command,
                dir.toString(),
                user,
                Map.of("GREETING", "ahoy"),
                Map.of(dir, dir),
                List.of(),
                List.of());
    }

    @Test
    void runsToItsEndWithItsOutputAndExitCode() {
        List<String> out = new ArrayList<>();
        List<String> err = new ArrayList<>();
        int rc = engine.run(
                container(
                        List.of(
                                "/bin/sh",
                                "-c",
                                "echo $GREETING from $(pwd); echo warning >&2; echo made > made.txt; exit 3"),
                        "0:0"),
                (stdout, line) -> (stdout ? out : err).add(line));
        assertEquals(3, rc);
        assertTrue(out.contains("ahoy from " + dir), out.toString());
        assertTrue(err.contains("warning"), err.toString());
        assertTrue(Files.isRegularFile(dir.resolve("made.txt")), "the folder is mounted at its own path");
    }

    @Test
    void filesAreWrittenAsTheUserAsked() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        int rc = engine.run(container(List.of("/bin/sh", "-c", "touch owned"), "4321:4322"), (stdout, line) -> {});
        assertEquals(0, rc);
        assertEquals(4321, Files.getAttribute(dir.resolve("owned"), "unix:uid"));
        assertEquals(4322, Files.getAttribute(dir.resolve("owned"), "unix:gid"));
    }

    @Test
    void anAttachedContainerReadsItsInputAndReturnsItsCode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = engine.attach(
                container(List.of("/bin/sh"), "0:0"),
                new ByteArrayInputStream("echo sum=$((2+3))\necho to-stderr >&2\nexit 4\n".getBytes()),
                out);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(4, rc, text);
        assertTrue(text.contains("sum=5") && text.contains("to-stderr"), text);
    }

    @Test
    void aMissingImageIsNamed() {
        CaptainException e = assertThrows(
                CaptainException.class,
                () -> engine.run(
                        new DockerEngine.Container(
                                "captainos-no-such-image:1",
                                List.of("true"),
                                "/",
                                "0:0",
                                Map.of(),
                                Map.of(),
                                List.of(),
                                List.of()),
                        (stdout, line) -> {}));
        assertTrue(
                e.getMessage().contains("refused to create a container of captainos-no-such-image:1"), e.getMessage());
    }

    @Test
    void aCapabilityTheMachineDoesNotGrantIsNamed() {
        // Some machines' bounding sets lack CAP_SYS_RESOURCE: there the engine refuses it, elsewhere it runs.
        DockerEngine.Container c = new DockerEngine.Container(
                image, List.of("/bin/true"), "/", "0:0", Map.of(), Map.of(), List.of("SYS_RESOURCE"), List.of());
        try {
            assertEquals(0, engine.run(c, (stdout, line) -> {}));
        } catch (CaptainException e) {
            assertTrue(e.getMessage().contains("could not start a container of " + image), e.getMessage());
            assertTrue(e.getMessage().contains("SYS_RESOURCE"), e.getMessage());
        }
    }

    @Test
    void aFailingBuildStepSaysWhichAndWhy() throws Exception {
        Path context = dir.resolve("context.tar");
        BuilderImage.writeContext(
                context,
                Map.of(
                        "Dockerfile",
                        ("FROM " + image + "\nRUN echo the-step-output && exit 9\n").getBytes(StandardCharsets.UTF_8)),
                Map.of());
        List<String> lines = new ArrayList<>();
        CaptainException e = assertThrows(
                CaptainException.class,
                () -> engine.build("captainos-test-failing:1", context, Map.of(), false, lines::add));
        assertTrue(e.getMessage().contains("returned a non-zero code: 9"), e.getMessage());
        assertTrue(lines.stream().anyMatch(l -> l.contains("the-step-output")), lines.toString());
    }

    @Test
    void noEngineBehindTheSocketSaysWhatToDo() throws Exception {
        CaptainException missing = assertThrows(
                CaptainException.class,
                () -> Fabric8Engine.connect("unix://" + dir.resolve("none.sock"), "test", BuildLog.silent()));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        // a socket file that nothing listens on any more
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(stale));
        }
        RecordingLog log = new RecordingLog();
        CaptainException e = assertThrows(
                CaptainException.class, () -> Fabric8Engine.connect("unix://" + stale, "environment DOCKER_HOST", log));
        String m = e.getMessage();
        assertTrue(
                m.contains("No Docker engine at unix://" + stale + " (environment DOCKER_HOST): it does not answer"),
                m);
        assertTrue(m.contains("-Dcaptain.<stage>.mode=native") && m.contains("DOCKER_HOST"), m);
    }
}
