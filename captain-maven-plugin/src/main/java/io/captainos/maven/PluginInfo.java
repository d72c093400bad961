package io.captainos.maven;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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

    /** A goal of this plugin, fully qualified for a lifecycle mapping. */
    public static String goal(String name) {
        return PROPS.getProperty("groupId") + ":" + PROPS.getProperty("artifactId") + ":" + version() + ":" + name;
    }
}
