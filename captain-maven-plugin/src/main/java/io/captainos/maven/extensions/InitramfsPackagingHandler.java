package io.captainos.maven.extensions;

import javax.inject.Named;
import javax.inject.Singleton;

/** The main artifact of a {@code captain-initramfs} module: its POM (the files are attached by classifier). */
@Singleton
@Named("captain-initramfs")
public final class InitramfsPackagingHandler extends FileTypeHandler {
    public InitramfsPackagingHandler() {
        super("captain-initramfs", "pom", "none");
    }
}
