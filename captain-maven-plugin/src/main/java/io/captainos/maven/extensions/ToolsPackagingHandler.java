package io.captainos.maven.extensions;

import javax.inject.Named;
import javax.inject.Singleton;

/** The main artifact of a {@code captain-tools} module: its POM (the files are attached by classifier). */
@Singleton
@Named("captain-tools")
public final class ToolsPackagingHandler extends FileTypeHandler {
    public ToolsPackagingHandler() {
        super("captain-tools", "pom", "none");
    }
}
