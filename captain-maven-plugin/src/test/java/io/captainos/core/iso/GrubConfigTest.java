package io.captainos.core.iso;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.Arch;
import io.captainos.core.CaptainException;
import io.captainos.core.fetch.Sha256;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrubConfigTest {
    /** SHA-256 of smee's default MagicString, the 1024 bytes HookOS and the reference CaptainOS carry. */
    private static final String SMEE_MAGIC_SHA256 = "252feaf619f32ca02d967c78c9fa1434c4c70c7774bf038e1de2fafbc5e88a78";

    @Test
    void thePlaceholderIsSmeesMagicStringByteForByte() throws Exception {
        byte[] resource;
        try (InputStream in = GrubConfig.class.getResourceAsStream("/io/captainos/iso/magic-string.txt")) {
            resource = in.readAllBytes();
        }
        assertEquals(1024, resource.length, "exactly 1024 bytes, no newline");
        assertArrayEquals(resource, GrubConfig.placeholder().getBytes(StandardCharsets.US_ASCII));
        assertEquals(SMEE_MAGIC_SHA256, Sha256.of(resource), "smee finds only its own string");
        assertEquals(GrubConfig.PLACEHOLDER_LENGTH, GrubConfig.placeholder().length());
        assertTrue(GrubConfig.placeholder().matches("[a-z0-9]{1024}"), "lower-case letters and digits only");
    }

    @Test
    void theKernelLineEndsWithTheMagicStringOnce() {
        for (Arch arch : Arch.values()) {
            String cfg = GrubConfig.render(arch);
            String linux = cfg.lines()
                    .filter(l -> l.trim().startsWith("linux "))
                    .findFirst()
                    .orElseThrow();
            assertEquals(
                    "    linux /boot/vmlinuz console=tty0 console=" + GrubConfig.console(arch) + " audit=0 "
                            + GrubConfig.placeholder(),
                    linux,
                    "the placeholder ends the line: patchable in place");
            assertEquals(1, cfg.split(GrubConfig.placeholder(), -1).length - 1, "exactly one placeholder");
            assertTrue(cfg.contains("set timeout=5"));
            assertTrue(cfg.contains("initrd /boot/initramfs"));
        }
    }

    @Test
    void eachArchGetsItsSerialConsole() {
        assertTrue(GrubConfig.render(Arch.AMD64).contains("console=ttyS0,115200"));
        assertTrue(GrubConfig.render(Arch.AMD64).contains("serial --unit=0 --speed=115200"));
        String arm = GrubConfig.render(Arch.ARM64);
        assertTrue(arm.contains("console=ttyAMA0,115200"));
        assertFalse(arm.contains("ttyS0"));
    }

    @Test
    void theKernelVersionComesFromTheConfigHeader(@TempDir Path dir) throws Exception {
        Path ours = dir.resolve("ours");
        Files.writeString(
                ours,
                "#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86 6.12.117 Kernel Configuration\n#\n");
        assertEquals("6.12.117", IsoStage.kernelVersion(ours));
        Path arm = dir.resolve("arm");
        Files.writeString(arm, "# Linux/arm64 6.18.16-rc1 Kernel Configuration\n");
        assertEquals("6.18.16", IsoStage.kernelVersion(arm));
        Path bad = dir.resolve("bad");
        Files.writeString(bad, "CONFIG_X=y\n");
        CaptainException e = assertThrows(CaptainException.class, () -> IsoStage.kernelVersion(bad));
        assertTrue(e.getMessage().contains("config artifact of captainos-kernel"));
    }
}
