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
import java.util.function.Predicate;

/** Reads a Packages index as a stream, keeping only the stanzas of the packages asked for. */
public final class PackagesIndex {
    private PackagesIndex() {}

    private static long size(String s) {
        return s != null && !s.isEmpty() && s.chars().allMatch(Character::isDigit) ? Long.parseLong(s) : -1;
    }

    public static Map<String, List<DebianPackage>> read(InputStream in, Set<String> wanted, String suite)
            throws IOException {
        return read(in, (Predicate<String>) wanted::contains, suite);
    }

    /** The stanzas of the packages whose names the filter keeps. */
    public static Map<String, List<DebianPackage>> read(InputStream in, Predicate<String> wanted, String suite)
            throws IOException {
        Map<String, List<DebianPackage>> found = new HashMap<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        Map<String, String> stanza = new HashMap<>();
        String line;
        boolean keep = false;
        while (true) {
            line = r.readLine();
            if (line == null || line.isEmpty()) {
                if (keep) {
                    DebianPackage p = new DebianPackage(
                            stanza.get("Package"),
                            stanza.get("Version"),
                            stanza.get("Architecture"),
                            stanza.get("Filename"),
                            stanza.get("SHA256"),
                            size(stanza.get("Size")),
                            suite,
                            stanza.getOrDefault("Depends", ""),
                            stanza.getOrDefault("Provides", ""));
                    if (p.filename() != null && p.sha256() != null && p.version() != null) {
                        found.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(p);
                    }
                }
                stanza.clear();
                keep = false;
                if (line == null) {
                    return found;
                }
                continue;
            }
            if (line.startsWith("Package: ")) {
                keep = wanted.test(line.substring(9).trim());
            }
            if (keep && !line.startsWith(" ")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    stanza.put(
                            line.substring(0, colon), line.substring(colon + 1).trim());
                }
            }
        }
    }
}
