package io.captainos.maven.extensions;

import javax.inject.Named;
import javax.inject.Singleton;

/** A bootable ISO image: type and extension {@code iso}, so a consumer's dependency needs no extension. */
@Singleton
@Named("iso")
public final class IsoHandler extends FileTypeHandler {
    public IsoHandler() {
        super("iso");
    }
}
