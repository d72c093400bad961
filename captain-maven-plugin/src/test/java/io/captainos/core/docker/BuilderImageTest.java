package io.captainos.core.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.exec.NativeRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuilderImageTest {
    @TempDir
    Path dir;

    private static final byte[] KEYRING = "keyring".getBytes(StandardCharsets.UTF_8);

    private BuilderImage image(FakeEngine engine, String mirror, String base, boolean noCache) {
        return new BuilderImage(
                engine,
                new BuilderImage.Inputs(mirror, List.of("trixie", "trixie-updates"), KEYRING, base, noCache),
                dir,
                new NativeRunner(BuildLog.silent()),
                () -> {
                    throw new AssertionError("the base is not made in these tests");
                },
                dir.resolve("packages"),
                BuildLog.silent());
    }

    @Test
    void tagsAreDigestsOfTheInputs() {
        FakeEngine engine = new FakeEngine();
        BuilderImage a = image(engine, "http://deb.debian.org/debian", "", false);
        assertTrue(a.name().matches("captainos-builder:[0-9a-f]{16}"), a.name());
        assertTrue(a.baseName().matches("captainos-base:[0-9a-f]{16}"), a.baseName());
        assertEquals(
                a.name(),
                image(engine, "http://deb.debian.org/debian", "", false).name());
        BuilderImage other = image(engine, "http://mirror.example/debian", "", false);
        assertNotEquals(a.name(), other.name(), "another mirror is another builder");
        assertNotEquals(a.baseName(), other.baseName(), "and another base");
        assertNotEquals(
                a.name(),
                image(engine, "http://deb.debian.org/debian", "my/trixie:1", false)
                        .name());
    }

    @Test
    void anImageTheEngineHasIsNotBuiltAgain() {
        FakeEngine engine = new FakeEngine();
        BuilderImage b = image(engine, "http://deb.debian.org/debian", "", false);
        engine.images.put(b.name(), "sha256:feed");
        assertEquals(new BuilderImage.Built(b.name(), "sha256:feed"), b.ensure());
        assertTrue(engine.built.isEmpty());
    }

    @Test
    void aGivenBaseIsBuiltOnWithTheBuildsAptSources() {
        FakeEngine engine = new FakeEngine();
        engine.images.put("my/trixie:1", "sha256:base");
        BuilderImage b = image(engine, "http://deb.debian.org/debian", "my/trixie:1", false);
        BuilderImage.Built built = b.ensure();
        assertEquals(List.of(b.name()), engine.built);
        assertEquals(Map.of("BASE", "my/trixie:1"), engine.buildArgs.get(0));
        assertEquals(b.name(), built.name());
        // asked to build again: the builder is, the given base is not; and only once in one build
        image(engine, "http://deb.debian.org/debian", "my/trixie:1", true).ensure();
        image(engine, "http://deb.debian.org/debian", "my/trixie:1", true).ensure();
        assertEquals(List.of(b.name(), b.name()), engine.built);
    }

    @Test
    void aMissingGivenBaseSaysSo() {
        CaptainException e = assertThrows(
                CaptainException.class,
                () -> image(new FakeEngine(), "http://deb.debian.org/debian", "my/trixie:1", false)
                        .ensure());
        assertTrue(
                e.getMessage().contains("my/trixie:1 (-Dcaptain.builder.base) is not in the engine"), e.getMessage());
    }

    @Test
    void aFailingStepIsNamedWithItsOutput() {
        FakeEngine engine = new FakeEngine();
        engine.images.put("my/trixie:1", "sha256:base");
        engine.failBuild = "Unable to locate package gcc-aarch64-linux-gnu";
        CaptainException e = assertThrows(
                CaptainException.class,
                () -> image(engine, "http://deb.debian.org/debian", "my/trixie:1", false)
                        .ensure());
        String m = e.getMessage();
        assertTrue(m.contains("returned a non-zero code: 100"), m);
        assertTrue(m.contains("E: Unable to locate package gcc-aarch64-linux-gnu"), m);
    }

    @Test
    void theDockerfileInstallsWhatTheStagesRun() {
        String d = BuilderImage.dockerfile();
        assertTrue(d.contains("FROM ${BASE}"));
        assertTrue(
                d.contains("list=\"/tmp/packages-$(dpkg --print-architecture).txt\"")
                        && d.contains("xargs -a \"$list\" apt-get install"),
                d);
        List<String> amd64 = List.of(
                new String(BuilderImage.packageLists().get("packages-amd64.txt"), StandardCharsets.UTF_8).split("\n"));
        for (String pkg : List.of(
                "make",
                "gcc",
                "flex",
                "bison",
                "bc",
                "libelf-dev",
                "libssl-dev",
                "kmod",
                "ccache",
                "gcc-aarch64-linux-gnu",
                "python3",
                "systemd",
                "grub-common",
                "grub-efi-amd64-bin",
                "grub-pc-bin",
                "xorriso",
                "mtools",
                "qemu-user-static",
                "zstd",
                "faketime")) {
            assertTrue(amd64.contains(pkg), "the builder installs " + pkg + ": " + amd64);
        }
    }
}
