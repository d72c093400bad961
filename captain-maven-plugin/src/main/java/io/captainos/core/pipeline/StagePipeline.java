package io.captainos.core.pipeline;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.state.InputHash;
import io.captainos.core.state.StageLock;
import io.captainos.core.state.StageOutputs;
import io.captainos.core.state.StageStamp;
import io.captainos.core.state.StageWork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps every stage shares, done once here: the leftovers of a killed build are removed, the inputs are compared
 * with the record of the last finished build, the work runs only when they differ (or when forced), every declared
 * output is checked, the kernel version and then the stamp are recorded, and the release files are published to
 * {@code out/}. A skipped stage attaches an earlier finished build instead, or says there is none.
 */
public final class StagePipeline {
    private final Path outDir;
    private final Duration lockTimeout;
    private final BuildLog log;

    /**
     * @param outDir      where release files are published under the names the provisioning side expects
     * @param lockTimeout how long publishing waits for another build that publishes to the same folder
     */
    public StagePipeline(Path outDir, Duration lockTimeout, BuildLog log) {
        this.outDir = outDir;
        this.lockTimeout = lockTimeout;
        this.log = log;
    }

    /** A pipeline that waits up to an hour for another build publishing to the same folder. */
    public StagePipeline(Path outDir, BuildLog log) {
        this(outDir, Duration.ofHours(1), log);
    }

    /** Runs a stage's work when its inputs changed since its last finished build, or when forced. */
    public StageResult run(StageWork work, boolean force) {
        StageOutputs out = work.outputs();
        Files2.removeLeftovers(out.dir());
        InputHash inputs = work.inputs();
        StageStamp stamp = new StageStamp(out.stamp());
        String stale = force ? "forced" : stamp.staleReason(inputs, out.finished());
        String recorded = out.kernelVersion();
        if (stale == null && out.versioned() && recorded == null) {
            stale = "no kernel version recorded";
        }
        if (stale == null) {
            log.info(out.label() + ": up to date, inputs " + inputs.digest().substring(0, 12) + "; skipping"
                    + (recorded == null ? "" : " (kernel " + recorded + ")"));
            publish(out, recorded);
            work.report(false);
            return new StageResult(out, recorded, false);
        }
        log.info(out.label() + ": " + work.plan() + " (" + stale + ")");
        stamp.invalidate();
        String version;
        try {
            Files.createDirectories(out.dir());
            version = work.build();
        } catch (IOException e) {
            throw new CaptainException(out.label() + ": " + e.getMessage(), e);
        }
        verify(out, version);
        if (out.versioned()) {
            Files2.writeAtomically(out.versionRecord(), version + "\n");
        }
        publish(out, version);
        stamp.record(inputs);
        work.report(true);
        return new StageResult(out, version, true);
    }

    /**
     * A skipped stage's earlier finished build: its stamp and every output. Without the stamp it warns and returns
     * null (nothing to attach); with the stamp but a file missing it fails, since that build is incomplete.
     *
     * @param modeProperty the setting that makes the stage build, for the messages
     */
    public StageResult earlier(StageOutputs out, String modeProperty) {
        String head = out.label() + ": skipped";
        if (!Files.isRegularFile(out.stamp())) {
            log.warn(head + ", and no finished earlier " + out.what() + " in " + out.dir() + " to attach (build it"
                    + " once with -D" + modeProperty + "=native)");
            return null;
        }
        for (Path p : out.finished()) {
            if (!Files.isRegularFile(p)) {
                throw new CaptainException(head + ", but the earlier build in " + out.dir() + " is incomplete (" + p
                        + " is missing); rebuild it with -D" + modeProperty + "=native or remove it with"
                        + " captain:clean");
            }
        }
        String version = out.kernelVersion();
        log.info(head + "; attaching the existing "
                + out.dir().resolve(out.files().get(0).name()) + (version == null ? "" : " (kernel " + version + ")"));
        return new StageResult(out, version, false);
    }

    /** Every declared output must be there and hold something, or nothing is recorded or published. */
    private static void verify(StageOutputs out, String version) {
        List<String> bad = new ArrayList<>();
        for (StageOutputs.File f : out.files()) {
            Path p = out.dir().resolve(f.name());
            try {
                if (!Files.isRegularFile(p) || Files.size(p) == 0) {
                    bad.add(f.name());
                }
            } catch (IOException e) {
                bad.add(f.name() + " (" + e.getMessage() + ")");
            }
        }
        if (!bad.isEmpty()) {
            throw new CaptainException(out.label() + ": the build finished without " + String.join(", ", bad) + " in "
                    + out.dir() + "; nothing was recorded or published, and the next build starts again");
        }
        if (out.versioned() && (version == null || version.isBlank())) {
            throw new CaptainException(out.label() + ": the build named no kernel version; nothing was recorded");
        }
    }

    /**
     * Copies the release files to {@code out/}, each atomically, unless an identical copy is already there. A build
     * holds {@code out/} while it publishes, so the files of one stage (an image and its manifest) come from one
     * build even when two builds share the folder.
     */
    private void publish(StageOutputs out, String version) {
        if (out.files().stream().allMatch(f -> f.release() == null)) {
            return;
        }
        try (StageLock held = StageLock.acquire(outDir, out.label() + " publishing", lockTimeout, log)) {
            for (StageOutputs.File f : out.files()) {
                if (f.release() != null) {
                    publish(out.dir().resolve(f.name()), f.release().in(outDir, version, out.arch()));
                }
            }
        }
    }

    private static void publish(Path from, Path to) {
        try {
            if (Files.isRegularFile(to) && Files.mismatch(from, to) == -1) {
                return;
            }
        } catch (IOException e) {
            // unreadable: copy it again
        }
        Files2.copyAtomically(from, to);
    }

    /** Where a result's release file of a role is published. */
    public Path published(StageResult result, String role) {
        StageOutputs out = result.outputs();
        StageOutputs.File f = out.files().stream()
                .filter(x -> x.role().equals(role) && x.release() != null)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(role + " is not published"));
        return f.release().in(outDir, result.kernelVersion(), out.arch());
    }
}
