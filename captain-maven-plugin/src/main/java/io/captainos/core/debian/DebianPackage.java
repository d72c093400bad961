package io.captainos.core.debian;

/** One binary package as a signed Packages index lists it. */
public record DebianPackage(String name, String version, String architecture, String filename, String sha256,
        long size, String suite) {
    /** The file name of the .deb in the pool. */
    public String debName() {
        return filename.substring(filename.lastIndexOf('/') + 1);
    }
}
