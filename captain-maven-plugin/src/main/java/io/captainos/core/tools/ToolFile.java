package io.captainos.core.tools;

/** One binary of the tools bundle and where it came from: a row of the bundle's manifest. */
public record ToolFile(String path, String component, String version, String source, String sha256) {
    public String row() {
        return String.join("\t", path, component, version, source, sha256);
    }

    public static final String HEADER = "path\tcomponent\tversion\tsource\tsha256";
}
