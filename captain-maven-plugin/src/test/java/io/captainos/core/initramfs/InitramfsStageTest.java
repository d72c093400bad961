package io.captainos.core.initramfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.CaptainException;
import java.util.List;
import org.junit.jupiter.api.Test;

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
        assertEquals("http://deb.debian.org/debian-security", InitramfsStage.securityMirror("http://deb.debian.org/debian/"));
        assertEquals("https://mirror.example/debian-security", InitramfsStage.securityMirror("https://mirror.example/debian"));
        assertNull(InitramfsStage.securityMirror("http://apt.internal/trixie"), "unknown layouts get none");
        assertEquals(List.of("trixie-security"), InitramfsStage.securitySuites(List.of("trixie", "trixie-updates")));
        assertEquals(List.of("forky-security", "trixie-security"),
                InitramfsStage.securitySuites(List.of("forky", "sid", "trixie-backports", "unstable")));
    }

    @Test
    void mkosiVersionsAreReadFromItsOutput() {
        assertEquals(25, Mkosi.major("mkosi 25.3"));
        assertEquals("25.3", Mkosi.version("mkosi 25.3\n"));
        assertEquals(14, Mkosi.major("mkosi 14"));
        assertEquals(-1, Mkosi.major("python3: No module named mkosi"));
    }
}
