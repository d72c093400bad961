package io.captainos.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.Arch;
import io.captainos.core.CaptainException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelConfigTest {
    @TempDir
    Path dir;

    @Test
    void parsesSetAndUnsetSymbolsAndIgnoresComments() {
        KernelConfig c = KernelConfig.parse(List.of(
                "# comment", "CONFIG_A=y", "# CONFIG_B is not set", "CONFIG_C=\"-x\"", "CONFIG_D=128", "garbage"));
        assertEquals("y", c.get("CONFIG_A"));
        assertEquals("n", c.get("CONFIG_B"));
        assertEquals("\"-x\"", c.get("CONFIG_C"));
        assertEquals("128", c.get("CONFIG_D"));
        assertEquals("n", c.get("CONFIG_MISSING"));
        assertEquals(4, c.symbols().size());
    }

    @Test
    void mergeLetsTheFragmentWinAndRenderRoundTrips() {
        KernelConfig base = KernelConfig.parse(List.of("CONFIG_A=y", "CONFIG_B=m", "CONFIG_SOUND=y"));
        KernelConfig merged = base.merge(KernelConfig.parse(List.of("CONFIG_B=y", "# CONFIG_SOUND is not set")));
        assertEquals("y", merged.get("CONFIG_B"));
        assertEquals("n", merged.get("CONFIG_SOUND"));
        KernelConfig again = KernelConfig.parse(List.of(merged.render().split("\n")));
        assertEquals(merged.symbols(), again.symbols());
        assertTrue(merged.render().contains("# CONFIG_SOUND is not set"));
    }

    @Test
    void droppedListsSymbolsWhoseValueDidNotSurvive() {
        KernelConfig fragment =
                KernelConfig.parse(List.of("CONFIG_A=y", "CONFIG_B=m", "# CONFIG_C is not set", "CONFIG_S=\"x\""));
        KernelConfig resolved = KernelConfig.parse(List.of("CONFIG_A=y", "CONFIG_B=y", "CONFIG_S=\"x\""));
        assertEquals(List.of("CONFIG_B=m (got y)"), KernelConfig.dropped(fragment, resolved));
    }

    @Test
    void includesAreReadFirstAndLaterLinesWin() throws IOException {
        Files.writeString(dir.resolve("common.fragment"), "CONFIG_A=y\nCONFIG_B=y\n");
        Files.writeString(dir.resolve("6.12.y.amd64"), "# include common.fragment\nCONFIG_B=m\n");
        KernelConfig c = KernelConfig.read(dir.resolve("6.12.y.amd64"));
        assertEquals("y", c.get("CONFIG_A"));
        assertEquals("m", c.get("CONFIG_B"));
    }

    @Test
    void aMissingIncludeFailsNamingIt() throws IOException {
        Files.writeString(dir.resolve("x"), "# include nope.fragment\n");
        CaptainException e = assertThrows(CaptainException.class, () -> KernelConfig.read(dir.resolve("x")));
        assertTrue(e.getMessage().contains("nope.fragment"), e.getMessage());
    }

    @Test
    void aMissingBranchListsTheBranchesThatExist() throws IOException {
        Files.writeString(dir.resolve("6.12.y.amd64"), "");
        Files.writeString(dir.resolve("6.18.y.amd64"), "");
        Files.writeString(dir.resolve("6.18.y.arm64"), "");
        KernelConfigs configs = new KernelConfigs(dir);
        assertEquals(dir.resolve("6.12.y.amd64"), configs.resolve("6.12.y", Arch.AMD64, ""));
        CaptainException e = assertThrows(CaptainException.class, () -> configs.resolve("6.1.y", Arch.AMD64, null));
        assertTrue(e.getMessage().contains("Branches with configs: 6.12.y, 6.18.y"), e.getMessage());
        e = assertThrows(CaptainException.class, () -> configs.resolve("6.12.y", Arch.ARM64, null));
        assertTrue(e.getMessage().contains("Branches with configs: 6.18.y"), e.getMessage());
    }

    @Test
    void aMissingOverrideFileFails() {
        CaptainException e = assertThrows(
                CaptainException.class,
                () -> new KernelConfigs(dir)
                        .resolve(
                                "6.12.y", Arch.AMD64, dir.resolve("none.config").toString()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void theRepositoryConfigsResolveForEveryBranchAndArch() {
        Path configs = Path.of("../captainos-kernel/config");
        for (String branch : List.of("6.12.y", "6.18.y")) {
            for (Arch arch : Arch.values()) {
                KernelConfig c = KernelConfig.read(new KernelConfigs(configs).resolve(branch, arch, null));
                assertEquals("y", c.get("CONFIG_MEMCG"), branch + " " + arch);
                assertEquals("m", c.get("CONFIG_OVERLAY_FS"));
                assertEquals("y", c.get("CONFIG_MODULE_COMPRESS_ZSTD"));
                assertEquals("n", c.get("CONFIG_SOUND"));
                assertEquals(
                        "y",
                        c.get(arch == Arch.AMD64 ? "CONFIG_SERIAL_8250_CONSOLE" : "CONFIG_SERIAL_AMBA_PL011_CONSOLE"));
            }
        }
    }
}
