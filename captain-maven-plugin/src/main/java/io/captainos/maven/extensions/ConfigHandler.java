package io.captainos.maven.extensions;

import javax.inject.Named;
import javax.inject.Singleton;

/** A resolved kernel {@code .config}: type and extension {@code config}. */
@Singleton
@Named("config")
public final class ConfigHandler extends FileTypeHandler {
    public ConfigHandler() {
        super("config");
    }
}
