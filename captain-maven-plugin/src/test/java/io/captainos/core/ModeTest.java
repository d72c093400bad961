package io.captainos.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModeTest {
    @Test
    void parsesEveryModeById() {
        for (Mode m : Mode.values()) {
            assertEquals(m, Mode.parse(m.id(), "captain.kernel.mode"));
        }
        assertEquals(Mode.NATIVE, Mode.parse(" Native ", "captain.kernel.mode"));
        assertEquals("docker", Mode.DOCKER.id());
    }

    @Test
    void unknownValueNamesSettingAndAllowedValues() {
        CaptainException e = assertThrows(CaptainException.class, () -> Mode.parse("podman", "captain.tools.mode"));
        String m = e.getMessage();
        assertTrue(m.contains("'podman'"), m);
        assertTrue(m.contains("captain.tools.mode"), m);
        assertTrue(m.contains("auto, native, docker, skip"), m);
    }

    @Test
    void nullValueFails() {
        CaptainException e = assertThrows(CaptainException.class, () -> Mode.parse(null, "TOOLS_MODE"));
        assertTrue(e.getMessage().contains("TOOLS_MODE"), e.getMessage());
    }
}
