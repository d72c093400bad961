package io.captainos.maven.extensions;

import io.captainos.core.Stage;
import javax.inject.Named;
import javax.inject.Singleton;

/** The lifecycle of packaging {@code captain-initramfs}: {@code package} runs {@code captain:initramfs}. */
@Singleton
@Named("captain-initramfs")
public final class InitramfsLifecycleMapping extends StageLifecycleMapping {
    public InitramfsLifecycleMapping() {
        super(Stage.INITRAMFS);
    }
}
