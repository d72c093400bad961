package io.captainos.maven.extensions;

import javax.inject.Named;
import javax.inject.Singleton;

/** The main artifact of a {@code captain-kernel} module: its POM (the files are attached by classifier). */
@Singleton
@Named("captain-kernel")
public final class KernelPackagingHandler extends FileTypeHandler {
    public KernelPackagingHandler() {
        super("captain-kernel", "pom", "none");
    }
}
