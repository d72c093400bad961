package io.captainos.core.debian;

import java.util.ArrayList;
import java.util.List;

/**
 * One source package as a signed Sources index lists it: its files in the pool folder with their SHA-256, its
 * build dependencies (the raw field) and, for Go packages, the import path Debian builds it under.
 */
public record SourcePackage(
        String name,
        String version,
        String directory,
        List<File> files,
        String buildDepends,
        String goImportPath,
        String suite) {
    /** A file of the source package: the original tarball, Debian's tarball, the .dsc. */
    public record File(String name, String sha256, long size) {}

    public SourcePackage {
        files = List.copyOf(files);
    }

    /** The version without the Debian revision and epoch: what upstream calls it. */
    public String upstreamVersion() {
        String v = version;
        int colon = v.indexOf(':');
        if (colon >= 0) {
            v = v.substring(colon + 1);
        }
        int dash = v.lastIndexOf('-');
        return dash > 0 ? v.substring(0, dash) : v;
    }

    /** The pool path of one of its files, relative to the mirror. */
    public String path(File f) {
        return directory + "/" + f.name();
    }

    /** The file whose name ends with the suffix ({@code .orig.tar.xz}, {@code .debian.tar.xz}), or null. */
    public File file(String... suffixes) {
        for (File f : files) {
            for (String s : suffixes) {
                if (f.name().endsWith(s)) {
                    return f;
                }
            }
        }
        return null;
    }

    /**
     * The names of the Build-Depends field for a host arch: each clause's alternatives in order, version constraints
     * and build profiles dropped, clauses restricted to other arches left out.
     */
    public List<List<String>> buildDependencies(String arch) {
        return relations(buildDepends, arch);
    }

    /**
     * A relation field (Depends, Build-Depends) as clauses of alternatives, package names only: version constraints,
     * arch qualifiers and build profiles dropped, and, for an arch, the alternatives restricted to other arches left
     * out (a null arch keeps them all).
     */
    public static List<List<String>> relations(String field, String arch) {
        List<List<String>> clauses = new ArrayList<>();
        for (String clause : field.split(",")) {
            List<String> alternatives = new ArrayList<>();
            for (String alt : clause.split("\\|")) {
                String a = alt.trim();
                if (a.isEmpty() || !forArch(a, arch)) {
                    continue;
                }
                alternatives.add(a.split("[\\s(:\\[<]")[0]);
            }
            if (!alternatives.isEmpty()) {
                clauses.add(alternatives);
            }
        }
        return clauses;
    }

    /** Whether an alternative's arch list ({@code [amd64 arm64]} or {@code [!i386]}) admits the arch. */
    static boolean forArch(String alternative, String arch) {
        int open = alternative.indexOf('[');
        int close = alternative.indexOf(']', open + 1);
        if (arch == null || open < 0 || close < 0) {
            return true;
        }
        String[] archs = alternative.substring(open + 1, close).trim().split("\\s+");
        boolean negated = archs.length > 0 && archs[0].startsWith("!");
        for (String a : archs) {
            String name = a.startsWith("!") ? a.substring(1) : a;
            if (name.equals(arch) || name.equals("linux-" + arch) || name.equals("any")) {
                return !negated;
            }
        }
        return negated;
    }
}
