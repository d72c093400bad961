package io.captainos.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The typed configuration: every setting parsed and checked once, into the values the stages use. */
class BuildConfigTest {
    private static BuildConfig config(Map<String, String> commandLine) {
        return new BuildConfig(Settings.of(commandLine));
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        BuildConfig c = config(Map.of());
        assertEquals(List.of(Arch.AMD64), c.arches());
        assertEquals(KernelSourceKind.DEBIAN, c.kernelSource());
        assertEquals(ToolsSourceKind.DEBIAN, c.toolsSource());
        assertEquals(KernelBase.DEFCONFIG, c.kernelBase());
        assertEquals(Ccache.AUTO, c.ccache());
        assertEquals(List.of("trixie", "trixie-updates"), c.suites());
        assertTrue(c.hostInstall());
        assertEquals(Mode.AUTO, c.mode(Stage.INITRAMFS));
        assertFalse(c.force(Stage.KERNEL));
    }

    @Test
    void choicesIgnoreCaseAndBlanksAndGiveTheStagesTheCanonicalName() {
        BuildConfig c = config(Map.of("captain.kernel.base", " TinyConfig ", "captain.kernel.source", "Debian-Image",
                "captain.tools.source", "UPSTREAM", "captain.kernel.ccache", "False"));
        assertEquals(KernelBase.TINYCONFIG, c.kernelBase());
        assertEquals("tinyconfig", c.kernelBase().id(), "make gets the target it knows");
        assertEquals(KernelSourceKind.DEBIAN_IMAGE, c.kernelSource());
        assertEquals(ToolsSourceKind.UPSTREAM, c.toolsSource());
        assertEquals(Ccache.FALSE, c.ccache());
    }

    @Test
    void anUnknownChoiceNamesTheSettingItsVariableAndTheAllowedValues() {
        CaptainException e = assertThrows(CaptainException.class,
                () -> config(Map.of("captain.kernel.base", "oldconfig")));
        assertEquals("Unknown value 'oldconfig' for captain.kernel.base (KERNEL_BASE): use one of defconfig,"
                + " tinyconfig, allnoconfig", e.getMessage());
        assertTrue(assertThrows(CaptainException.class, () -> config(Map.of("captain.kernel.source", "git")))
                .getMessage().contains("use one of debian, kernel.org, debian-image"));
    }

    @Test
    void suitesAreSplitOnceAndAnEmptyListIsRefused() {
        assertEquals(List.of("trixie", "sid"), config(Map.of("captain.debian.suites", " trixie, ,sid ")).suites());
        assertTrue(assertThrows(CaptainException.class, () -> config(Map.of("captain.debian.suites", " , ")))
                .getMessage().contains("captain.debian.suites is empty"));
    }
}
