package io.captainos.core.host;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.exec.Command;
import io.captainos.core.exec.CommandRunner;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostPrerequisitesTest {
    @TempDir
    Path bin;

    private final List<Command> commands = new ArrayList<>();
    private Consumer<Command> onRun = c -> {};

    private final CommandRunner runner = new CommandRunner() {
        @Override
        public void run(Command command) {
            commands.add(command);
            onRun.accept(command);
        }

        @Override
        public String capture(Command command) {
            commands.add(command);
            return "";
        }

        @Override
        public String describe() {
            return "recording";
        }
    };

    @BeforeEach
    void tools() throws IOException {
        executable("captain-tool");
        Files.writeString(bin.resolve("not-executable"), "data");
    }

    private void executable(String name) {
        try {
            Path p = bin.resolve(name);
            Files.writeString(p, "#!/bin/sh\n");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HostPrerequisites host(boolean root, boolean debian, boolean installAllowed) {
        String path = "/nonexistent-captain-dir" + File.pathSeparator + File.pathSeparator + bin;
        return new HostPrerequisites(path, root, debian, installAllowed, runner, BuildLog.silent());
    }

    @Test
    void presentProgramIsNotMissing() {
        List<Requirement> reqs = List.of(Requirement.program("captain-tool", "captain-pkg"));
        assertTrue(host(false, true, true).missing(reqs).isEmpty());
        assertDoesNotThrow(() -> host(false, true, true).ensure("kernel", reqs));
        assertTrue(commands.isEmpty());
    }

    @Test
    void nonExecutableFileIsNotAProgram() {
        Requirement r = Requirement.program("not-executable", "pkg");
        assertEquals(List.of(r), host(false, true, true).missing(List.of(r)));
    }

    @Test
    void missingProgramWithoutRootFailsWithSudoCommand() {
        Requirement r = Requirement.program("captain-absent", "captain-absent-pkg");
        CaptainException e = assertThrows(
                CaptainException.class,
                () -> host(false, true, true).ensure("kernel", List.of(r, Requirement.program("captain-tool", "x"))));
        String m = e.getMessage();
        assertTrue(m.contains("sudo apt-get install -y --no-install-recommends captain-absent-pkg"), m);
        assertTrue(m.contains("The kernel stage needs captain-absent"), m);
        assertTrue(m.contains("does not run as root"), m);
        assertTrue(m.contains(" is missing"), m);
        assertFalse(m.contains("captain-tool"), m);
        assertTrue(commands.isEmpty(), "nothing may be installed without root");
    }

    @Test
    void severalMissingPackagesAreSortedAndDeduplicated() {
        List<Requirement> reqs = List.of(
                Requirement.program("zz-prog", "zlib-pkg"),
                Requirement.program("aa-prog", "alpha-pkg"),
                Requirement.program("bb-prog", "zlib-pkg"));
        CaptainException e = assertThrows(
                CaptainException.class, () -> host(false, true, true).ensure("tools", reqs));
        String m = e.getMessage();
        assertTrue(m.contains("sudo apt-get install -y --no-install-recommends alpha-pkg zlib-pkg"), m);
        assertTrue(m.contains("zz-prog, aa-prog, bb-prog"), m);
        assertTrue(m.contains(" are missing"), m);
    }

    @Test
    void notDebianSaysSo() {
        Requirement r = Requirement.program("captain-absent", "captain-absent-pkg");
        CaptainException e = assertThrows(
                CaptainException.class, () -> host(true, false, true).ensure("iso", List.of(r)));
        String m = e.getMessage();
        assertTrue(m.contains("not Debian-family"), m);
        assertTrue(m.contains("your distribution's equivalent"), m);
        assertFalse(m.contains("sudo "), m);
        assertTrue(commands.isEmpty(), "apt-get must not run on a non-Debian host");
    }

    @Test
    void installNotAllowedSaysSo() {
        Requirement r = Requirement.program("captain-absent", "captain-absent-pkg");
        CaptainException e = assertThrows(
                CaptainException.class, () -> host(true, true, false).ensure("iso", List.of(r)));
        assertTrue(e.getMessage().contains("captain.host.install is false"), e.getMessage());
        assertTrue(commands.isEmpty());
    }

    @Test
    void rootOnDebianInstallsMissingPackages() {
        onRun = c -> {
            if (c.args().contains("install")) {
                executable("captain-absent");
            }
        };
        Requirement r = Requirement.program("captain-absent", "captain-absent-pkg");
        assertDoesNotThrow(() -> host(true, true, true).ensure("kernel", List.of(r)));
        assertEquals(2, commands.size());
        assertEquals(List.of("apt-get", "update", "-q"), commands.get(0).args());
        assertEquals(
                List.of("apt-get", "install", "-y", "--no-install-recommends", "captain-absent-pkg"),
                commands.get(1).args());
        assertEquals("noninteractive", commands.get(1).environment().get("DEBIAN_FRONTEND"));
    }

    @Test
    void installThatDoesNotProvideTheProgramFails() {
        Requirement r = Requirement.program("captain-absent", "captain-absent-pkg");
        CaptainException e = assertThrows(
                CaptainException.class, () -> host(true, true, true).ensure("kernel", List.of(r)));
        assertTrue(e.getMessage().contains("installing them did not provide them"), e.getMessage());
        assertEquals(2, commands.size());
    }

    @Test
    void fileRequirement(@TempDir Path other) throws IOException {
        Path present = other.resolve("header.h");
        Files.writeString(present, "");
        Requirement have = Requirement.file(present.toString(), "libfoo-dev");
        Requirement lack = Requirement.file(other.resolve("firmware.bin").toString(), "firmware-pkg");
        assertFalse(have.program());
        HostPrerequisites h = host(false, true, true);
        assertEquals(List.of(lack), h.missing(List.of(have, lack)));
        CaptainException e = assertThrows(CaptainException.class, () -> h.ensure("iso", List.of(have, lack)));
        assertTrue(e.getMessage().contains(other.resolve("firmware.bin").toString()), e.getMessage());
        assertTrue(
                e.getMessage().contains("sudo apt-get install -y --no-install-recommends firmware-pkg"),
                e.getMessage());
    }

    @Test
    void emptyOrNullPathFindsNothing() {
        Requirement r = Requirement.program("captain-tool", "pkg");
        assertEquals(
                List.of(r),
                new HostPrerequisites(null, false, true, true, runner, BuildLog.silent()).missing(List.of(r)));
    }
}
