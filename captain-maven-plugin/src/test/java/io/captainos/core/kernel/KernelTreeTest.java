package io.captainos.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.CaptainException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelTreeTest {
    @Test
    void treeVersionComesFromTheMakefile(@TempDir Path dir) throws IOException {
        Files.writeString(
                dir.resolve("Makefile"), "# SPDX\nVERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 57\nEXTRAVERSION =\n");
        KernelTree t = KernelTree.of(dir);
        assertEquals("6.12.57", t.version());
        assertEquals("6.12.y", t.branch());
    }

    @Test
    void commandLineSizeIsRaisedOnceAndAMovedDefineFails(@TempDir Path dir) throws IOException {
        Path h = dir.resolve("arch/x86/include/asm/setup.h");
        Files.createDirectories(h.getParent());
        Files.writeString(h, "#ifndef X\n#define COMMAND_LINE_SIZE 2048\n#endif\n");
        SourceUnpacker.raiseCommandLineSize(dir);
        assertTrue(Files.readString(h).contains("#define COMMAND_LINE_SIZE 4096"));
        SourceUnpacker.raiseCommandLineSize(dir);
        Files.writeString(h, "nothing here\n");
        assertThrows(CaptainException.class, () -> SourceUnpacker.raiseCommandLineSize(dir));
    }
}
