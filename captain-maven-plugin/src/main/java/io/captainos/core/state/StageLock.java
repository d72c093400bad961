package io.captainos.core.state;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;

/**
 * The exclusive hold of one stage's work folder for the whole stage, so that two builds of the same folder (two
 * terminals, two CI jobs in one workspace) never interleave: the second waits, naming the holder, and then finds
 * the stage up to date, or fails after the timeout. The hold is an operating system lock on {@code .lock} in the
 * folder, which the kernel releases when its process ends however it ends, so a lock left by a killed build is
 * taken over at once; the file itself only says who holds it (pid, host, since when) for the messages.
 */
public final class StageLock implements AutoCloseable {
    /** How often a waiting build looks again. */
    static final Duration POLL = Duration.ofMillis(500);

    private final FileChannel channel;
    private final FileLock lock;

    private StageLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Holds {@code dir} (created if missing) for this process, waiting up to {@code timeout} for another holder.
     *
     * @param what the stage, for the messages ("initramfs (x86_64)")
     */
    public static StageLock acquire(Path dir, String what, Duration timeout, BuildLog log) {
        Path file = dir.resolve(".lock");
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Instant start = Instant.now();
            boolean told = false;
            while (true) {
                FileLock lock = tryLock(channel);
                if (lock != null) {
                    String left = holder(channel);
                    if (!left.isEmpty()) {
                        log.info(what + ": taking over " + file + " from " + left + ", which ended without"
                                + " releasing it");
                    }
                    write(channel, self());
                    StageLock held = new StageLock(channel, lock);
                    channel = null;
                    return held;
                }
                String holder = holder(channel);
                Duration waited = Duration.between(start, Instant.now());
                if (waited.compareTo(timeout) >= 0) {
                    throw new CaptainException(what + ": another build holds " + file + " (" + describe(holder)
                            + ") and did not finish within " + timeout.toSeconds() + " s. Let it finish, or wait"
                            + " longer with -Dcaptain.lock.timeout=<seconds>.");
                }
                if (!told) {
                    log.info(what + ": waiting for another build of this folder to finish (" + describe(holder) + ", "
                            + file + "; at most " + timeout.toSeconds() + " s, -Dcaptain.lock.timeout)");
                    told = true;
                }
                Thread.sleep(Math.min(
                        POLL.toMillis(), Math.max(1, timeout.minus(waited).toMillis())));
            }
        } catch (IOException e) {
            throw new CaptainException(
                    what + ": cannot lock " + file + ": " + e.getMessage()
                            + "; check that the build folder is writable",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptainException(what + ": interrupted while waiting for " + file, e);
        } finally {
            closeQuietly(channel);
        }
    }

    /** Null when another process, or another stage of this one, holds it. */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    private static String self() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown host";
        }
        return "pid " + ProcessHandle.current().pid() + " on " + host + " since " + Instant.now();
    }

    private static String describe(String holder) {
        return holder.isEmpty() ? "holder not yet named" : "held by " + holder;
    }

    private static String holder(FileChannel channel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(channel.size(), 512));
        channel.read(buf, 0);
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
    }

    private static void write(FileChannel channel, String text) throws IOException {
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(false);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing held
            }
        }
    }

    /** Clears the holder's name, then lets go; the file stays, so a waiting build keeps the same file. */
    @Override
    public void close() {
        try {
            channel.truncate(0);
            lock.release();
        } catch (IOException e) {
            // the lock goes with the channel below
        } finally {
            closeQuietly(channel);
        }
    }
}
