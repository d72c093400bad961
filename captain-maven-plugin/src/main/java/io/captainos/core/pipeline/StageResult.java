package io.captainos.core.pipeline;

import io.captainos.core.state.StageOutputs;
import java.nio.file.Path;

/**
 * A stage's finished results for one arch: its files, the kernel version they belong to (null when unversioned) and
 * whether this run built them.
 */
public record StageResult(StageOutputs outputs, String kernelVersion, boolean built) {
    /** The file of a role ({@code bundle}, {@code vmlinuz}). */
    public Path path(String role) {
        return outputs.path(role);
    }
}
