package io.captainos.core.debian;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads a Sources index as a stream, keeping only the stanzas of the source packages asked for. */
public final class SourcesIndex {
    private SourcesIndex() {}

    public static Map<String, List<SourcePackage>> read(InputStream in, Set<String> wanted, String suite)
            throws IOException {
        Map<String, List<SourcePackage>> found = new HashMap<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        Map<String, StringBuilder> stanza = new HashMap<>();
        String field = null;
        boolean keep = false;
        while (true) {
            String line = r.readLine();
            if (line == null || line.isEmpty()) {
                if (keep) {
                    SourcePackage p = stanza(stanza, suite);
                    if (p != null) {
                        found.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(p);
                    }
                }
                stanza.clear();
                field = null;
                keep = false;
                if (line == null) {
                    return found;
                }
                continue;
            }
            if (line.startsWith("Package: ")) {
                keep = wanted.contains(line.substring(9).trim());
            }
            if (line.startsWith(" ") || line.startsWith("\t")) {
                if (field != null) {
                    stanza.get(field).append('\n').append(line.trim());
                }
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                field = line.substring(0, colon);
                stanza.put(field, new StringBuilder(line.substring(colon + 1).trim()));
            }
        }
    }

    /** The package a kept stanza describes; null when it lacks what a verified download needs. */
    private static SourcePackage stanza(Map<String, StringBuilder> s, String suite) {
        String name = text(s, "Package");
        String version = text(s, "Version");
        String directory = text(s, "Directory");
        String sums = text(s, "Checksums-Sha256");
        if (name.isEmpty() || version.isEmpty() || directory.isEmpty() || sums.isEmpty()) {
            return null;
        }
        List<SourcePackage.File> files = new ArrayList<>();
        for (String line : sums.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[0].matches("[0-9a-f]{64}") && f[1].matches("[0-9]+")) {
                files.add(new SourcePackage.File(f[2], f[0], Long.parseLong(f[1])));
            }
        }
        String depends = text(s, "Build-Depends").replace('\n', ' ');
        String arch = text(s, "Build-Depends-Arch").replace('\n', ' ');
        if (!arch.isEmpty()) {
            depends = depends.isEmpty() ? arch : depends + ", " + arch;
        }
        return new SourcePackage(name, version, directory, files, depends, text(s, "Go-Import-Path"), suite);
    }

    private static String text(Map<String, StringBuilder> s, String field) {
        StringBuilder b = s.get(field);
        return b == null ? "" : b.toString().trim();
    }
}
