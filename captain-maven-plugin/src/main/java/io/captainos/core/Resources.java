package io.captainos.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The plugin's own resource files. */
public final class Resources {
    private Resources() {}

    /**
     * The lines of a resource of the plugin, stripped, without blank lines and {@code #} comments.
     *
     * @param name a name as {@link Class#getResourceAsStream} takes it: relative to {@code anchor}'s package, or
     *     absolute with a leading {@code /}
     */
    public static List<String> lines(Class<?> anchor, String name) {
        try (InputStream in = anchor.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the plugin lacks its resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the plugin's resource " + name, e);
        }
    }
}
