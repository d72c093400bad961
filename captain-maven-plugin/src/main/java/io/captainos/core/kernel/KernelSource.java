package io.captainos.core.kernel;

import io.captainos.core.state.InputHash;

/** Where the kernel source comes from. */
public interface KernelSource {
    /** The source's name for settings and the log. */
    String id();

    /** Adds what identifies the source (its digest, or its files) to the stage inputs. */
    void describe(InputHash inputs);

    /** The source tree, verified and unpacked, ready for an out-of-tree build. */
    KernelTree prepare();
}
