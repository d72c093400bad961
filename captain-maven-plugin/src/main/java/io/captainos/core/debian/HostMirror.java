package io.captainos.core.debian;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Finds the Debian mirror this host's apt is configured with, so the build uses the same one. */
public final class HostMirror {
    public static final String STANDARD = "http://deb.debian.org/debian";

    private HostMirror() {}

    /** The first main-archive URL of apt's sources under {@code etcApt}, or the standard mirror. */
    public static String detect(Path etcApt) {
        List<Path> files = new ArrayList<>();
        files.add(etcApt.resolve("sources.list"));
        try (Stream<Path> s = Files.list(etcApt.resolve("sources.list.d"))) {
            s.filter(p -> p.toString().endsWith(".sources") || p.toString().endsWith(".list"))
                    .sorted()
                    .forEach(files::add);
        } catch (IOException e) {
            // no sources.list.d
        }
        for (Path f : files) {
            try {
                for (String line : Files.readAllLines(f)) {
                    String url = candidate(line.trim());
                    if (url != null) {
                        return url;
                    }
                }
            } catch (IOException e) {
                // unreadable or missing: try the next
            }
        }
        return STANDARD;
    }

    private static String candidate(String line) {
        if (line.startsWith("#")) {
            return null;
        }
        for (String word : line.split("\\s+")) {
            if ((word.startsWith("http://") || word.startsWith("https://"))
                    && word.replaceAll("/+$", "").endsWith("/debian")) {
                return word.replaceAll("/+$", "");
            }
        }
        return null;
    }
}
