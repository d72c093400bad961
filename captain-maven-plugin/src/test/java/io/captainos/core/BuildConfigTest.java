package io.captainos.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
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
        assertEquals(ToolsSourceKind.DEBIAN_SOURCE, c.toolsSource());
        assertEquals(KernelBase.DEFCONFIG, c.kernelBase());
        assertEquals(Ccache.AUTO, c.ccache());
        assertEquals(List.of("trixie", "trixie-updates"), c.suites());
        assertTrue(c.hostInstall());
        assertEquals(Mode.AUTO, c.mode(Stage.INITRAMFS));
        assertFalse(c.force(Stage.KERNEL));
    }

    @Test
    void choicesIgnoreCaseAndBlanksAndGiveTheStagesTheCanonicalName() {
        BuildConfig c = config(Map.of(
                "captain.kernel.base",
                " TinyConfig ",
                "captain.kernel.source",
                "Debian-Image",
                "captain.tools.source",
                "UPSTREAM",
                "captain.kernel.ccache",
                "False"));
        assertEquals(KernelBase.TINYCONFIG, c.kernelBase());
        assertEquals("tinyconfig", c.kernelBase().id(), "make gets the target it knows");
        assertEquals(KernelSourceKind.DEBIAN_IMAGE, c.kernelSource());
        assertEquals(ToolsSourceKind.UPSTREAM, c.toolsSource());
        assertEquals(Ccache.FALSE, c.ccache());
    }

    @Test
    void anUnknownChoiceNamesTheSettingItsVariableAndTheAllowedValues() {
        CaptainException e =
                assertThrows(CaptainException.class, () -> config(Map.of("captain.kernel.base", "oldconfig")));
        assertEquals(
                "Unknown value 'oldconfig' for captain.kernel.base (KERNEL_BASE): use one of defconfig,"
                        + " tinyconfig, allnoconfig",
                e.getMessage());
        assertTrue(assertThrows(CaptainException.class, () -> config(Map.of("captain.kernel.source", "git")))
                .getMessage()
                .contains("use one of debian, kernel.org, debian-image"));
    }

    @Test
    void suitesAreSplitOnceAndAnEmptyListIsRefused() {
        assertEquals(
                List.of("trixie", "sid"),
                config(Map.of("captain.debian.suites", " trixie, ,sid ")).suites());
        assertTrue(assertThrows(CaptainException.class, () -> config(Map.of("captain.debian.suites", " , ")))
                .getMessage()
                .contains("captain.debian.suites is empty"));
    }

    @Test
    void theTimestampMustFitEveryFormatWeWrite() {
        assertEquals(1767225600L, BuildConfig.timestamp("2026-01-01T00:00:00Z", null));
        assertEquals(42L, BuildConfig.timestamp(null, "42"));
        assertEquals(BuildConfig.MAX_TIMESTAMP, BuildConfig.timestamp("4294967295", null));
        CaptainException far =
                assertThrows(CaptainException.class, () -> BuildConfig.timestamp("99999999999999", null));
        assertTrue(
                far.getMessage().contains("project.build.outputTimestamp '99999999999999' is outside")
                        && far.getMessage().contains("2106-02-07T06:28:15Z"),
                far.getMessage());
        assertThrows(CaptainException.class, () -> BuildConfig.timestamp("1969-12-31T23:59:59Z", null));
        assertThrows(CaptainException.class, () -> BuildConfig.timestamp(null, "99999999999999999999999"));
    }

    @Test
    void theToolsTakeTheirOwnSuiteWhenOneIsSetAndTheRestKeepTheDebianSuites() {
        assertEquals(List.of("trixie", "trixie-updates"), config(Map.of()).toolsSuites());
        BuildConfig c =
                config(Map.of("captain.tools.suite", " sid ", "captain.debian.allowExpired", "sid, experimental"));
        assertEquals(List.of("sid"), c.toolsSuites());
        assertEquals(List.of("trixie", "trixie-updates"), c.suites());
        assertEquals(Set.of("sid", "experimental"), c.expiredAllowed());
        assertEquals(Set.of(), config(Map.of()).expiredAllowed());
    }

    @Test
    void aToolsSuiteMustBeOneSuiteNameAndOnlyForTheDebianSource() {
        CaptainException bad =
                assertThrows(CaptainException.class, () -> config(Map.of("captain.tools.suite", "sid,trixie")));
        assertTrue(
                bad.getMessage()
                        .startsWith("Invalid captain.tools.suite (command line -Dcaptain.tools.suite)"
                                + " 'sid,trixie': name one Debian suite"),
                bad.getMessage());
        CaptainException upstream = assertThrows(
                CaptainException.class,
                () -> config(Map.of("captain.tools.suite", "sid", "captain.tools.source", "upstream")));
        assertTrue(
                upstream.getMessage().contains("the tools come from the upstream source, which takes no suite"),
                upstream.getMessage());
    }
}
