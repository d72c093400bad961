package io.captainos.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.Arch;
import io.captainos.core.iso.GrubConfig;
import io.captainos.core.iso.IsoPatch;
import io.captainos.core.qemu.QemuMachine;
import io.captainos.testing.Prerequisite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ISO of this build: patched in place the way Tinkerbell's smee patches it, it boots through UEFI firmware with
 * the machine's command line and brings the agent up; unpatched (on amd64, through legacy BIOS) it boots to
 * multi-user with the placeholder on its command line.
 */
class IsoBootTest {
    @TempDir
    Path dir;

    private static void multiUser(Guest guest) throws Exception {
        assertEquals(
                "running",
                guest.sh1("systemctl is-system-running --wait"),
                guest.sh("systemctl --failed --no-legend --plain --no-pager").toString());
        assertTrue(guest.sh1("cat /proc/cmdline").contains("console=" + GrubConfig.console(guest.arch)));
        assertEquals("tmpfs", guest.sh1("stat -f -c %T /"));
    }

    @Test
    void aPatchedIsoBootsUnderUefiWithTheMachinesCommandLine() throws Exception {
        Arch arch = Guest.arch();
        Path iso = Guest.artifact("iso");
        Prerequisite.require(
                Files.isRegularFile(QemuMachine.firmware(arch)),
                "no UEFI firmware at " + QemuMachine.firmware(arch) + ": install " + QemuMachine.firmwarePackage(arch));
        try (AgentRig rig = AgentRig.start(dir, false, List.of())) {
            Map<String, String> keys = rig.keys();
            String cmdline = keys.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(" "));
            Path patched = dir.resolve("patched.iso");
            IsoPatch.patch(iso, patched, cmdline);
            try (Guest guest = Guest.boot(
                    "iso-uefi-patched-" + arch.linux(), QemuMachine.Spec.iso(arch, patched, 2048, Guest.CPUS))) {
                rig.awaitAgent(guest, Guest.BOOT);
                guest.loggedIn();
                multiUser(guest);
                String booted = guest.sh1("cat /proc/cmdline");
                assertTrue(booted.contains(" " + cmdline), "the patched command line: " + booted);
                assertFalse(booted.contains(GrubConfig.placeholder()), booted);
                assertEquals("active", guest.sh1("systemctl is-active tink-agent"));
            }
        }
    }

    @Test
    void anUnpatchedIsoBootsUnderLegacyBiosWithThePlaceholder() throws Exception {
        Assumptions.assumeTrue(Guest.arch() == Arch.AMD64, "legacy BIOS is an amd64 thing");
        Prerequisite.require(
                Files.isRegularFile(Path.of("/usr/lib/grub/i386-pc/modinfo.sh")),
                "the ISO was built without BIOS support (install grub-pc-bin)");
        try (Guest guest = Guest.boot(
                        "iso-bios-x86_64", QemuMachine.Spec.isoBios(Guest.artifact("iso"), 2048, Guest.CPUS))
                .loggedIn()) {
            multiUser(guest);
            assertTrue(
                    guest.sh1("cat /proc/cmdline").contains(GrubConfig.placeholder()),
                    "GRUB's entry with smee's magic string booted");
            assertEquals("inactive", guest.sh1("systemctl is-active tink-agent-setup"), "no agent without tink keys");
        }
    }
}
