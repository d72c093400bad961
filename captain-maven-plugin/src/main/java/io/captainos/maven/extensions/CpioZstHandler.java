package io.captainos.maven.extensions;

import javax.inject.Named;
import javax.inject.Singleton;

/** A zstd-compressed newc CPIO initramfs: type and extension {@code cpio.zst}, so a consumer's dependency needs no extension. */
@Singleton
@Named("cpio.zst")
public final class CpioZstHandler extends FileTypeHandler {
    public CpioZstHandler() {
        super("cpio.zst");
    }
}
