package io.captainos.maven;

import io.captainos.core.fetch.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** This plugin's own coordinates, read from the jar. */
public final class PluginInfo {
    private static final Properties PROPS = load();

    private PluginInfo() {}

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = PluginInfo.class.getResourceAsStream("/io/captainos/plugin.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    public static String version() {
        return PROPS.getProperty("version");
    }

    /**
     * What identifies this plugin's code as a stage input: the version, and for a snapshot also the digest of the
     * plugin jar (reproducible, so it changes only when the code does). A changed plugin rebuilds the stages.
     */
    public static String builderId() {
        String v = version();
        if (!v.endsWith("-SNAPSHOT")) {
            return v;
        }
        try {
            Path jar = Path.of(PluginInfo.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return Files.isRegularFile(jar) ? v + " " + Sha256.of(jar) : v;
        } catch (IOException | URISyntaxException | SecurityException e) {
            return v + " unidentified";
        }
    }

    /** A goal of this plugin, fully qualified for a lifecycle mapping. */
    public static String goal(String name) {
        return PROPS.getProperty("groupId") + ":" + PROPS.getProperty("artifactId") + ":" + version() + ":" + name;
    }
}
