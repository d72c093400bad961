package io.captainos.core.initramfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.CaptainException;
import io.captainos.core.debian.AptSources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitramfsStageTest {
    @Test
    void theKernelVersionComesFromTheModulesRelease() {
        assertEquals("6.12.117", InitramfsStage.kernelVersion("6.12.117-captainos"));
        assertEquals("6.12.57", InitramfsStage.kernelVersion("6.12.57+deb13-amd64"));
        assertEquals("6.18.16", InitramfsStage.kernelVersion("6.18.16"));
        CaptainException e = assertThrows(CaptainException.class, () -> InitramfsStage.kernelVersion("captainos"));
        assertTrue(e.getMessage().contains("usr/lib/modules/captainos"));
    }

    @Test
    void theSecurityArchiveSitsBesideADebianMirror() {
        assertEquals(
                "http://deb.debian.org/debian-security", AptSources.securityMirror("http://deb.debian.org/debian/"));
        assertEquals(
                "https://mirror.example/debian-security", AptSources.securityMirror("https://mirror.example/debian"));
        assertNull(AptSources.securityMirror("http://apt.internal/trixie"), "unknown layouts get none");
        assertEquals(List.of("trixie-security"), AptSources.securitySuites(List.of("trixie", "trixie-updates")));
        assertEquals(
                List.of("forky-security", "trixie-security"),
                AptSources.securitySuites(List.of("forky", "sid", "trixie-backports", "unstable")));
    }

    @Test
    void mkosiVersionsAreReadFromItsOutput() {
        assertEquals(25, Mkosi.major("mkosi 25.3"));
        assertEquals("25.3", Mkosi.version("mkosi 25.3\n"));
        assertEquals(14, Mkosi.major("mkosi 14"));
        assertEquals(-1, Mkosi.major("python3: No module named mkosi"));
    }

    @Test
    void everyModuleOfTheKernelMustBeInTheImageItWasLaidInto(@TempDir Path dir) throws IOException {
        Path modules = dir.resolve("modules");
        Path image = dir.resolve("image");
        for (String m : List.of(
                "usr/lib/modules/6.12.1/kernel/drivers/net/e1000e.ko.xz",
                "usr/lib/modules/6.12.1/kernel/fs/overlayfs/overlay.ko.xz")) {
            for (Path root : List.of(modules, image)) {
                Files.createDirectories(root.resolve(m).getParent());
                Files.writeString(root.resolve(m), m);
            }
        }
        Files.writeString(modules.resolve("usr/lib/modules/6.12.1/modules.dep"), "");
        assertEquals(List.of(), InitramfsStage.missingModules(modules, image), "modules.dep is not a module");
        Files.delete(image.resolve("usr/lib/modules/6.12.1/kernel/drivers/net/e1000e.ko.xz"));
        assertEquals(
                List.of("usr/lib/modules/6.12.1/kernel/drivers/net/e1000e.ko.xz"),
                InitramfsStage.missingModules(modules, image));
    }
}
