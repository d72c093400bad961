package io.captainos.core.kernel;

import io.captainos.core.CaptainException;
import io.captainos.core.KernelVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A kernel source tree ready for out-of-tree builds, and its version as its Makefile states it. */
public record KernelTree(Path dir, String version) {
    /** The branch of this version, as defconfig files name it: {@code 6.12.y}. */
    public String branch() {
        return KernelVersion.parse(version).branch();
    }

    /** Reads VERSION, PATCHLEVEL and SUBLEVEL from the tree's top Makefile. */
    public static KernelTree of(Path dir) {
        Path makefile = dir.resolve("Makefile");
        Map<String, String> v = new HashMap<>();
        try {
            for (String line : Files.readAllLines(makefile)) {
                String[] p = line.split("=", 2);
                if (p.length == 2) {
                    v.putIfAbsent(p[0].trim(), p[1].trim());
                }
                if (v.containsKey("SUBLEVEL")) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new CaptainException(dir + " is not a kernel source tree (no readable Makefile): " + e.getMessage());
        }
        if (!v.containsKey("VERSION") || !v.containsKey("PATCHLEVEL")) {
            throw new CaptainException(dir + " is not a kernel source tree: its Makefile names no VERSION/PATCHLEVEL");
        }
        String sub = v.getOrDefault("SUBLEVEL", "0");
        return new KernelTree(dir, v.get("VERSION") + "." + v.get("PATCHLEVEL") + (sub.isEmpty() ? ".0" : "." + sub));
    }
}
