package io.captainos.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.Arch;
import io.captainos.core.iso.GrubConfig;
import io.captainos.core.qemu.QemuMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The ISO of this build boots through UEFI firmware (and, on amd64, legacy BIOS) to multi-user. */
class IsoBootTest {
    private static void bootsToMultiUser(String name, QemuMachine.Spec spec) throws Exception {
        try (Guest guest = Guest.boot(name, spec).loggedIn()) {
            assertEquals("running", guest.sh1("systemctl is-system-running --wait"),
                    guest.sh("systemctl --failed --no-legend --plain --no-pager").toString());
            String cmdline = guest.sh1("cat /proc/cmdline");
            assertTrue(cmdline.contains("console=" + GrubConfig.console(guest.arch)), cmdline);
            assertTrue(cmdline.contains(GrubConfig.placeholder()), "GRUB's entry with the placeholder booted");
            assertEquals("tmpfs", guest.sh1("findmnt -n -o FSTYPE /"));
        }
    }

    @Test
    void bootsUnderUefi() throws Exception {
        Arch arch = Guest.arch();
        Path iso = Guest.artifact("iso");
        Assumptions.assumeTrue(Files.isRegularFile(QemuMachine.firmware(arch)), "no UEFI firmware at "
                + QemuMachine.firmware(arch) + ": install " + QemuMachine.firmwarePackage(arch));
        bootsToMultiUser("iso-uefi-" + arch.linux(), QemuMachine.Spec.iso(arch, iso, 2048, Guest.CPUS));
    }

    @Test
    void bootsUnderLegacyBiosWhenBuiltWithIt() throws Exception {
        Assumptions.assumeTrue(Guest.arch() == Arch.AMD64, "legacy BIOS is an amd64 thing");
        Assumptions.assumeTrue(Files.isRegularFile(Path.of("/usr/lib/grub/i386-pc/modinfo.sh")),
                "the ISO was built without BIOS support (install grub-pc-bin)");
        bootsToMultiUser("iso-bios-x86_64", QemuMachine.Spec.isoBios(Guest.artifact("iso"), 2048, Guest.CPUS));
    }
}
