package io.captainos.core.host;

import static io.captainos.testing.Prerequisite.require;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.Arch;
import io.captainos.core.kernel.Toolchain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class HostPackagesTest {
    private static List<String> names(List<Requirement> r) {
        return r.stream().map(Requirement::name).toList();
    }

    @Test
    void theCompilerTheKernelStageRunsIsTheOneItRequires() {
        for (Arch target : Arch.values()) {
            for (Arch host : Arch.values()) {
                Toolchain t = new Toolchain(target, host);
                List<String> names = names(t.requirements());
                assertTrue(names.contains(t.gcc()), target + " on " + host + ": " + names);
                assertTrue(names.contains(t.crossCompile() + "strip"), target + " on " + host + ": " + names);
                assertTrue(names.contains("make") && names.contains("/usr/include/libelf.h"), names.toString());
                assertFalse(names.contains("ccache"), "ccache is used when present, not required");
            }
        }
        assertEquals(
                "gcc-aarch64-linux-gnu",
                new Toolchain(Arch.ARM64, Arch.AMD64)
                        .requirements().stream()
                                .filter(r -> r.name().equals("aarch64-linux-gnu-gcc"))
                                .findFirst()
                                .orElseThrow()
                                .debianPackage());
    }

    @Test
    void archRowsApplyToTheirArchOnly() {
        assertTrue(
                names(HostPackages.of("iso", Arch.AMD64, Arch.AMD64)).contains("/usr/lib/grub/x86_64-efi/modinfo.sh"));
        assertFalse(
                names(HostPackages.of("iso", Arch.ARM64, Arch.AMD64)).contains("/usr/lib/grub/x86_64-efi/modinfo.sh"));
        assertFalse(
                names(HostPackages.of("iso", Arch.AMD64, Arch.AMD64)).contains("/usr/lib/grub/i386-pc/modinfo.sh"),
                "BIOS GRUB is used when present");
        assertEquals(
                List.of("qemu-aarch64-static", "update-binfmts"),
                names(HostPackages.of("foreign", Arch.ARM64, Arch.AMD64)));
        assertEquals(
                List.of("apt-get", "dpkg", "systemctl", "depmod", "python3"),
                names(HostPackages.of("initramfs", null, null)));
        assertEquals("ccache", HostPackages.optional("kernel", "ccache").debianPackage());
    }

    @Test
    void theBuilderHasItsOwnArchsPackagesAndTheCrossCompilerToTheOther() {
        List<String> amd64 = HostPackages.builder(Arch.AMD64);
        List<String> arm64 = HostPackages.builder(Arch.ARM64);
        for (String p : List.of(
                "make",
                "gcc",
                "ccache",
                "libc6-dev",
                "cpio",
                "python3",
                "systemd",
                "xorriso",
                "faketime",
                "qemu-user-static",
                "ca-certificates")) {
            assertTrue(amd64.contains(p) && arm64.contains(p), p);
        }
        assertTrue(
                amd64.containsAll(List.of(
                        "grub-efi-amd64-bin", "grub-pc-bin", "gcc-aarch64-linux-gnu", "binutils-aarch64-linux-gnu")),
                amd64.toString());
        assertFalse(amd64.contains("grub-efi-arm64-bin") || amd64.contains("gcc-x86-64-linux-gnu"), amd64.toString());
        assertTrue(arm64.containsAll(List.of("grub-efi-arm64-bin", "gcc-x86-64-linux-gnu")), arm64.toString());
        assertFalse(arm64.contains("grub-pc-bin") || arm64.contains("gcc-aarch64-linux-gnu"), arm64.toString());
    }

    /** CI reads the same declaration through a script: it must give what the plugin requires, and no more. */
    @Test
    void theCiScriptListsWhatThePluginRequires() throws IOException, InterruptedException {
        Path script = Path.of("..", ".ci", "host-packages").toAbsolutePath().normalize();
        Arch host = Arch.host();
        require(
                Files.isExecutable(script) && host != null && Files.isExecutable(Path.of("/usr/bin/dpkg")),
                "the repository's .ci/host-packages and dpkg (a Debian host)");
        Process p = new ProcessBuilder(script.toString(), "arm64", "kernel", "initramfs", "iso", "foreign")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        TreeSet<String> expected = new TreeSet<>();
        for (String stage : List.of("kernel", "initramfs", "iso", "foreign")) {
            HostPackages.of(stage, Arch.ARM64, host).forEach(r -> expected.add(r.debianPackage()));
        }
        expected.add("grub-efi-arm64-bin"); // the script adds what widens the arch's result
        assertEquals(expected, new TreeSet<>(out.lines().collect(Collectors.toList())));
    }
}
