package io.captainos.maven.extensions;

import javax.inject.Named;
import javax.inject.Singleton;

/** A kernel image: type and extension {@code vmlinuz}, so a consumer's dependency needs no extension. */
@Singleton
@Named("vmlinuz")
public final class VmlinuzHandler extends FileTypeHandler {
    public VmlinuzHandler() {
        super("vmlinuz");
    }
}
