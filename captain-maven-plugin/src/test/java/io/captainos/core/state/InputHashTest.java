package io.captainos.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputHashTest {
    @TempDir
    Path dir;

    private Path tree() throws IOException {
        Path t = dir.resolve("config");
        Files.createDirectories(t.resolve("sub/deeper"));
        Files.writeString(t.resolve("a.conf"), "a=1\n");
        Files.writeString(t.resolve("sub/b.conf"), "b=2\n");
        Files.writeString(t.resolve("sub/deeper/c.sh"), "#!/bin/sh\n");
        return t;
    }

    @Test
    void changedFileInAFolderChangesTheDigest() throws IOException {
        Path t = tree();
        String before = new InputHash().value("x", 1).path("config", t).digest();
        assertEquals(before, new InputHash().value("x", 1).path("config", t).digest());

        Files.writeString(t.resolve("sub/deeper/c.sh"), "#!/bin/sh\nexit 1\n");
        String changed = new InputHash().value("x", 1).path("config", t).digest();
        assertNotEquals(before, changed);

        Files.writeString(t.resolve("sub/new.conf"), "");
        String added = new InputHash().value("x", 1).path("config", t).digest();
        assertNotEquals(changed, added);

        Files.move(t.resolve("sub/new.conf"), t.resolve("sub/renamed.conf"));
        assertNotEquals(added, new InputHash().value("x", 1).path("config", t).digest());
    }

    @Test
    void executableBitCounts() throws IOException {
        Path t = tree();
        String before = new InputHash().path("config", t).digest();
        Files.setPosixFilePermissions(t.resolve("sub/deeper/c.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        assertNotEquals(before, new InputHash().path("config", t).digest());
    }

    @Test
    void singleFileAndMissingPath() throws IOException {
        Path f = dir.resolve("f");
        String missing = new InputHash().path("f", f).digest();
        Files.writeString(f, "one");
        String one = new InputHash().path("f", f).digest();
        Files.writeString(f, "two");
        String two = new InputHash().path("f", f).digest();
        assertNotEquals(missing, one);
        assertNotEquals(one, two);
    }

    @Test
    void insertionOrderDoesNotMatter() throws IOException {
        Path t = tree();
        Map<String, String> m1 = new LinkedHashMap<>();
        m1.put("alpha", "1");
        m1.put("beta", "2");
        Map<String, String> m2 = new LinkedHashMap<>();
        m2.put("beta", "2");
        m2.put("alpha", "1");
        String a = new InputHash()
                .value("stage", "tools")
                .values(m1)
                .path("config", t)
                .value("arch", "amd64")
                .digest();
        String b = new InputHash()
                .value("arch", "amd64")
                .path("config", t)
                .values(m2)
                .value("stage", "tools")
                .digest();
        assertEquals(a, b);
        assertNotEquals(
                a,
                new InputHash()
                        .value("arch", "arm64")
                        .path("config", t)
                        .values(m2)
                        .value("stage", "tools")
                        .digest());
    }

    @Test
    void valueNamesAreNotInterchangeable() {
        assertNotEquals(
                new InputHash().value("a", "1").value("b", "2").digest(),
                new InputHash().value("a", "2").value("b", "1").digest());
    }
}
