package io.captainos.maven.extensions;

import javax.inject.Named;
import javax.inject.Singleton;

/** A zstd-compressed tar (tools bundle, kernel modules tree): type and extension {@code tar.zst}, so a consumer's dependency needs no extension. */
@Singleton
@Named("tar.zst")
public final class TarZstHandler extends FileTypeHandler {
    public TarZstHandler() {
        super("tar.zst");
    }
}
