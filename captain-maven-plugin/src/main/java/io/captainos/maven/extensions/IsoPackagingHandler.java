package io.captainos.maven.extensions;

import javax.inject.Named;
import javax.inject.Singleton;

/** The main artifact of a {@code captain-iso} module: its POM (the files are attached by classifier). */
@Singleton
@Named("captain-iso")
public final class IsoPackagingHandler extends FileTypeHandler {
    public IsoPackagingHandler() {
        super("captain-iso", "pom", "none");
    }
}
