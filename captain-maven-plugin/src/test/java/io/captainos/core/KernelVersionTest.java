package io.captainos.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class KernelVersionTest {
    @Test
    void branchesAndExactVersions() {
        assertTrue(KernelVersion.parse("6.12").isBranch());
        assertFalse(KernelVersion.parse("6.18.16").isBranch());
        assertEquals("6.18.y", KernelVersion.parse("6.18.16").branch());
        assertEquals("6.18", KernelVersion.parse("6.18.16").majorMinor());
        assertEquals("v6.x", KernelVersion.parse("6.18.16").kernelOrgDir());
        assertEquals(new KernelVersion(6, 12, OptionalInt.of(57)), KernelVersion.parse(" 6.12.57 "));
        assertEquals("6.12", KernelVersion.parse("6.12").toString());
        assertEquals("6.12.57", KernelVersion.parse("6.12.57").toString());
    }

    @Test
    void aBadVersionNamesTheSettingAndWhatIsExpected() {
        for (String bad : new String[] {"latest", "6", "6.12.57-captainos", "", null}) {
            CaptainException e = assertThrows(CaptainException.class, () -> KernelVersion.parse(bad));
            assertTrue(e.getMessage().contains("captain.kernel.version"), e.getMessage());
            assertTrue(e.getMessage().contains("such as 6.12"), e.getMessage());
        }
    }

    @Test
    void aReleaseStartsWithItsVersion() {
        assertEquals(
                "6.12.117",
                KernelVersion.leading("6.12.117-captainos").orElseThrow().toString());
        assertEquals(
                "6.12.57",
                KernelVersion.leading("6.12.57+deb13-amd64").orElseThrow().toString());
        assertEquals(
                "6.18.16", KernelVersion.leading("6.18.16-rc1").orElseThrow().toString());
        assertEquals("6.18", KernelVersion.leading("6.18").orElseThrow().toString());
        assertEquals(Optional.empty(), KernelVersion.leading("captainos-6.12"));
        assertEquals(Optional.empty(), KernelVersion.leading(null));
    }
}
