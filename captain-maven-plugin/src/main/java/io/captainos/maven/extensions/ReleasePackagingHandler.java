package io.captainos.maven.extensions;

import javax.inject.Named;
import javax.inject.Singleton;

/** The main artifact of a {@code captain-release} module: its POM (the OCI layout is attached as {@code oci}). */
@Singleton
@Named("captain-release")
public final class ReleasePackagingHandler extends FileTypeHandler {
    public ReleasePackagingHandler() {
        super("captain-release", "pom", "none");
    }
}
