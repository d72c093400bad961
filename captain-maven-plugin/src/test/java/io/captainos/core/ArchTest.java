package io.captainos.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArchTest {
    @Test
    void parsesDebianAndLinuxNames() {
        assertEquals(Arch.AMD64, Arch.parse("amd64"));
        assertEquals(Arch.ARM64, Arch.parse("arm64"));
        assertEquals(Arch.AMD64, Arch.parse("x86_64"));
        assertEquals(Arch.ARM64, Arch.parse("aarch64"));
    }

    @Test
    void parseTrimsAndIgnoresCase() {
        assertEquals(Arch.AMD64, Arch.parse("  AMD64 "));
        assertEquals(Arch.ARM64, Arch.parse("AArch64"));
    }

    @Test
    void unknownValueFailsListingAllowedValues() {
        CaptainException e = assertThrows(CaptainException.class, () -> Arch.parse("riscv64"));
        assertTrue(e.getMessage().contains("riscv64"), e.getMessage());
        assertTrue(e.getMessage().contains("amd64, arm64"), e.getMessage());
    }

    @Test
    void nullValueFails() {
        CaptainException e = assertThrows(CaptainException.class, () -> Arch.parse(null));
        assertTrue(e.getMessage().contains("amd64, arm64"), e.getMessage());
    }

    @Test
    void parseListKeepsOrderAndDropsRepeats() {
        assertEquals(List.of(Arch.AMD64, Arch.ARM64), Arch.parseList("amd64,arm64"));
        assertEquals(List.of(Arch.ARM64, Arch.AMD64), Arch.parseList("arm64,amd64"));
        assertEquals(List.of(Arch.ARM64, Arch.AMD64), Arch.parseList("arm64, amd64,aarch64,x86_64,arm64"));
        assertEquals(List.of(Arch.AMD64), Arch.parseList("amd64"));
    }

    @Test
    void parseListRejectsEmptyAndUnknownEntries() {
        CaptainException empty = assertThrows(CaptainException.class, () -> Arch.parseList(" "));
        assertTrue(empty.getMessage().contains("amd64, arm64"), empty.getMessage());
        assertThrows(CaptainException.class, () -> Arch.parseList(null));
        CaptainException bad = assertThrows(CaptainException.class, () -> Arch.parseList("amd64,sparc"));
        assertTrue(bad.getMessage().contains("sparc"), bad.getMessage());
    }

    @Test
    void namesAndClassifiers() {
        assertEquals("amd64", Arch.AMD64.debian());
        assertEquals("x86_64", Arch.AMD64.linux());
        assertEquals("x86_64", Arch.AMD64.classifier());
        assertEquals("modules-x86_64", Arch.AMD64.classifier("modules"));
        assertEquals("modules-aarch64", Arch.ARM64.classifier("modules"));
        assertEquals("x86", Arch.AMD64.kernelArch());
        assertEquals("bzImage", Arch.AMD64.kernelImage());
        assertEquals("arm64", Arch.ARM64.kernelArch());
        assertEquals("Image", Arch.ARM64.kernelImage());
        assertEquals("amd64, arm64", Arch.allowed());
    }
}
