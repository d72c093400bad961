package io.captainos.core.host;

/**
 * Something a native stage needs on the host: a program on PATH, or a file (a header, a firmware image), and the
 * Debian package that provides it.
 */
public record Requirement(String name, boolean program, String debianPackage) {
    public static Requirement program(String name, String debianPackage) {
        return new Requirement(name, true, debianPackage);
    }

    public static Requirement file(String path, String debianPackage) {
        return new Requirement(path, false, debianPackage);
    }
}
