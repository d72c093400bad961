package io.captainos.core.state;

import io.captainos.core.CaptainException;
import io.captainos.core.fetch.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The inputs of a stage, by content: named values and files (a folder counts by every file in it). Its digest is
 * what the stage records after a build and compares before the next one.
 */
public final class InputHash {
    private final TreeMap<String, String> inputs = new TreeMap<>();

    public InputHash value(String name, Object value) {
        inputs.put(name, String.valueOf(value));
        return this;
    }

    public InputHash values(Map<String, String> values) {
        values.forEach(this::value);
        return this;
    }

    /** A file or folder by content; a missing one counts as missing. */
    public InputHash path(String name, Path path) {
        try {
            if (Files.isDirectory(path)) {
                List<Path> files;
                try (Stream<Path> s = Files.walk(path)) {
                    files = s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
                }
                for (Path f : files) {
                    String rel = path.relativize(f).toString();
                    inputs.put(name + "/" + rel, Sha256.of(f) + (Files.isExecutable(f) ? " x" : ""));
                }
            } else if (Files.isRegularFile(path)) {
                inputs.put(name, Sha256.of(path));
            } else {
                inputs.put(name, "missing");
            }
        } catch (IOException e) {
            throw new CaptainException("Cannot read input " + path + ": " + e.getMessage(), e);
        }
        return this;
    }

    /** The inputs as text, one {@code name=value} a line: kept beside the stamp so a rebuild can say why. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        inputs.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }

    public String digest() {
        MessageDigest d = Sha256.newDigest();
        d.update(describe().getBytes(StandardCharsets.UTF_8));
        return Sha256.hex(d);
    }
}
