package io.captainos.core.debian;

import java.util.ArrayList;
import java.util.List;

/**
 * One binary package as a signed Packages index lists it ({@code depends} and {@code provides} are the raw
 * fields).
 */
public record DebianPackage(
        String name,
        String version,
        String architecture,
        String filename,
        String sha256,
        long size,
        String suite,
        String depends,
        String provides) {
    public DebianPackage(
            String name,
            String version,
            String architecture,
            String filename,
            String sha256,
            long size,
            String suite,
            String depends) {
        this(name, version, architecture, filename, sha256, size, suite, depends, "");
    }

    /** The virtual package names it provides, versions left out. */
    public List<String> providedNames() {
        List<String> names = new ArrayList<>();
        for (String p : provides.split(",")) {
            String n = p.trim().split("[\\s(:]")[0];
            if (!n.isEmpty()) {
                names.add(n);
            }
        }
        return names;
    }

    /** The package names of the Depends field, alternatives and version constraints left out. */
    public List<String> dependencyNames() {
        return SourcePackage.relations(depends, null).stream()
                .map(alternatives -> alternatives.get(0))
                .toList();
    }

    /** The file name of the .deb in the pool. */
    public String debName() {
        return filename.substring(filename.lastIndexOf('/') + 1);
    }
}
